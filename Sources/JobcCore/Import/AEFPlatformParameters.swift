/// AEF's `platform-parameters-<env>.json` — `[{"ParameterKey": …, "ParameterValue": …}]` — reduced to
/// what its Cloud Workflows generator took from it (`commons.py`, `WorkflowsGenerator.py`).
public struct AEFPlatformParameters: Sendable {
    /// pProjectID and pRegion: the generator called `https://<pRegion>-<pProjectID>.cloudfunctions.net/<function>`.
    public var projectID: Located<String>?
    public var region: Located<String>?
    /// pJobsDefinitionsBucket: sent as `step_properties` `{"jobs_definitions_bucket": …}` by every
    /// step that has no STEP_PROPERTIES of its own.
    public var jobsDefinitionsBucket: String?

    /// Keys AEF's generators read that the job has no place for, with the reason.
    static let notCarriedOver: [String: String] = [
        "pFunctionIntermediateName": "AEF's workflow called its executors through this intermediate function; AEFExecutorFunction calls them itself",
        "pFunctionStepAsynchronousName": "AEF's first generator called its executors through this function; AEFExecutorFunction calls them itself",
        "pFunctionStepSynchronousName": "AEF's first generator called its executors through this function; AEFExecutorFunction calls them itself",
    ]

    /// The prefix of every executor's URL, when the file names both project and region.
    public var executorsBaseURL: String? {
        guard let projectID, let region else { return nil }
        return "https://\(region.value)-\(projectID.value).cloudfunctions.net"
    }

    /// The `step_properties` text AEF's generator wrote for a step without STEP_PROPERTIES.
    var defaultStepProperties: String? {
        jobsDefinitionsBucket.map { "{\"jobs_definitions_bucket\":\(JSONLiteral.string($0))}" }
    }

    /// Reads the file; nil (with errors) when it is not the list AEF wrote.
    public static func read(_ source: SourceFile) -> (parameters: AEFPlatformParameters?, diagnostics: [Diagnostic]) {
        let document: LocatedJSON
        do {
            document = try LocatedJSONParser.parse(source)
        } catch {
            return (nil, [.error(.jsonSyntax, error.message, at: error.location)])
        }
        var diagnostics = DiagnosticCollector()
        guard let items = document.array else {
            diagnostics.error(.wrongType, "the platform parameters must be an array of {\"ParameterKey\", \"ParameterValue\"}, found \(document.value.kindDescription)",
                              at: document.location)
            return (nil, diagnostics.diagnostics)
        }
        var parameters = AEFPlatformParameters()
        for (index, item) in items.enumerated() {
            let path = "[\(index)]"
            guard let members = item.members,
                  let key = members.first(where: { $0.key.value == "ParameterKey" })?.value,
                  let keyText = key.string,
                  let value = members.first(where: { $0.key.value == "ParameterValue" })?.value,
                  let valueText = value.string else {
                diagnostics.error(.wrongType, "\(path) must be {\"ParameterKey\": \"…\", \"ParameterValue\": \"…\"} with string values", at: item.location)
                continue
            }
            let located = Located(valueText, at: value.location)
            switch keyText {
            case "pProjectID": parameters.projectID = located
            case "pRegion": parameters.region = located
            case "pJobsDefinitionsBucket": parameters.jobsDefinitionsBucket = valueText
            default:
                diagnostics.warning(
                    .importNotCarriedOver,
                    "platform parameter \(keyText) is not carried over: "
                        + (notCarriedOver[keyText] ?? "AEF's workflow generator does not read it"),
                    at: key.location)
            }
        }
        if let url = parameters.executorsBaseURL, let at = parameters.projectID?.location {
            diagnostics.warning(
                .importNotCarriedOver,
                "pProjectID and pRegion are not carried over into the job: AEF called \(url)/<function>; "
                    + "that prefix belongs in the secret '\(AEFImporter.secretKey)', which AEFExecutorFunction reads",
                at: at,
                suggestion: "secret '\(AEFImporter.secretKey)': {\"base_url\": \(JSONLiteral.string(url)), \"auth\": \"google_id_token\"} (AEF called its functions with OIDC)")
        }
        return (parameters, diagnostics.diagnostics)
    }
}
