#!/usr/bin/env bash
# Create (or reuse) a virtualenv for the jobc integration tests.
#
#   Tests/integration/setup_venv.sh VENV_DIR REQUIREMENTS_FILE [LOCAL_PACKAGE_DIR...]
#
# 1. Creates VENV_DIR with $PYTHON (default: python3) unless it already exists.
# 2. Installs the fully pinned REQUIREMENTS_FILE. Skipped when the stamp in
#    VENV_DIR records the same requirements hash, Python version and pip pin.
# 3. Installs the local packages (default: targets/runtime targets/airflow)
#    with --no-deps, non-editable, built offline with the pinned setuptools
#    from the requirements (no build isolation). Skipped when their sources
#    have not changed since the last install.
#
# The local packages are built from a temporary copy so that no build/ or
# *.egg-info artefacts are left in the work tree.
set -euo pipefail

PIP_VERSION="25.3"

usage() {
    echo "usage: $0 VENV_DIR REQUIREMENTS_FILE [LOCAL_PACKAGE_DIR...]" >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
venv_dir=$1
requirements=$2
shift 2

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ $# -gt 0 ]]; then
    local_packages=("$@")
else
    local_packages=("$repo_root/targets/runtime" "$repo_root/targets/airflow")
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "error: Python interpreter '$python' not found" >&2; exit 1; }
[[ -f $requirements ]] || { echo "error: requirements file '$requirements' not found" >&2; exit 1; }
for package in "${local_packages[@]}"; do
    [[ -f $package/pyproject.toml ]] || { echo "error: '$package' has no pyproject.toml" >&2; exit 1; }
done

sha256_of_stdin() { sha256sum | cut -d' ' -f1; }

python_version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
requirements_hash=$({ cat "$requirements"; echo "python=$python_version pip=$PIP_VERSION"; } | sha256_of_stdin)
# Hash of every tracked-or-not source file of the local packages (names and
# contents), ignoring build artefacts and caches.
local_hash=$(
    for package in "${local_packages[@]}"; do
        (cd "$package" && find . -type f \
            -not -path '*/__pycache__/*' -not -path './build/*' -not -path '*.egg-info/*' \
            -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    done | sha256_of_stdin
)

requirements_stamp=$venv_dir/.jobc-requirements.sha256
local_stamp=$venv_dir/.jobc-local-packages.sha256

if [[ -d $venv_dir && ! -x $venv_dir/bin/python ]]; then
    echo "error: '$venv_dir' exists but is not a virtualenv (no bin/python)" >&2
    exit 1
fi
if [[ -x $venv_dir/bin/python ]]; then
    venv_python_version=$("$venv_dir/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    if [[ $venv_python_version != "$python_version" ]]; then
        # Only a directory that is a virtualenv is ever removed.
        [[ -f $venv_dir/pyvenv.cfg ]] || { echo "error: refusing to replace '$venv_dir'" >&2; exit 1; }
        echo "venv $venv_dir uses Python $venv_python_version, want $python_version: recreating"
        rm -rf "$venv_dir"
    fi
fi
if [[ ! -x $venv_dir/bin/python ]]; then
    echo "creating venv $venv_dir with Python $python_version"
    "$python" -m venv "$venv_dir"
fi

pip=("$venv_dir/bin/python" -m pip --disable-pip-version-check --no-input)

if [[ -f $requirements_stamp && $(cat "$requirements_stamp") == "$requirements_hash" ]]; then
    echo "requirements unchanged: skipping install of $requirements"
else
    rm -f "$requirements_stamp" "$local_stamp"
    "${pip[@]}" install --quiet "pip==$PIP_VERSION"
    "${pip[@]}" install --quiet --requirement "$requirements"
    echo "$requirements_hash" > "$requirements_stamp"
fi

if [[ -f $local_stamp && $(cat "$local_stamp") == "$local_hash" ]]; then
    echo "local packages unchanged: skipping reinstall"
else
    build_dir=$(mktemp -d "${TMPDIR:-/tmp}/jobc-local-packages.XXXXXX")
    trap 'rm -rf "$build_dir"' EXIT
    copies=()
    for package in "${local_packages[@]}"; do
        copy=$build_dir/$(basename "$package")
        cp -R "$package" "$copy"
        rm -rf "$copy/build" "$copy"/*.egg-info
        copies+=("$copy")
    done
    "${pip[@]}" install --quiet --no-deps --no-build-isolation --force-reinstall "${copies[@]}"
    echo "$local_hash" > "$local_stamp"
fi

"${pip[@]}" check
echo "venv ready: $venv_dir"
