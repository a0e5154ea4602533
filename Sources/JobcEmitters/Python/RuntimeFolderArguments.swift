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

    /// The lines of `pythonArguments`, written into `writer`.
    func writePythonArguments(to writer: inout PythonSourceWriter) {
        if functions != RuntimeFolders.standard.functions { writeArgument("function_folder", functions, to: &writer) }
        if secrets != RuntimeFolders.standard.secrets { writeArgument("secret_folder", secrets, to: &writer) }
    }

    private func writeArgument(_ name: String, _ folder: String, to writer: inout PythonSourceWriter) {
        writer.startLine()
        writer.append(name)
        writer.append("=")
        writer.appendString(folder)
        writer.endLineWithComma()
    }
}
