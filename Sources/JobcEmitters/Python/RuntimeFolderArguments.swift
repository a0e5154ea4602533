import JobcCore

extension RuntimeFolders {
    /// The keyword arguments that hand a project's folders to the runtime's adapters
    /// (`function_folder=`, `secret_folder=`), one per line: only those jobc.yaml moved, so code
    /// generated for the standard layout stays as it was.
    var pythonArguments: [String] {
        var lines: [String] = []
        if functions != RuntimeFolders.standard.functions { lines.append("function_folder=\(PythonLiteral.string(functions)),") }
        if secrets != RuntimeFolders.standard.secrets { lines.append("secret_folder=\(PythonLiteral.string(secrets)),") }
        return lines
    }
}
