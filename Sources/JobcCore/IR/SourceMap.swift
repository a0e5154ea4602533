/// Where the author wrote each part of a job, carried in the IR so that every later stage — the
/// per-target checks, the emitters, the plugins' diagnostics — can point at the job file from the
/// IR alone. Files are named as the user gave them (the display path); the JSON form of the IR
/// carries lines and columns only, so it does not depend on the working directory.
public struct JobSources: Sendable, Equatable {
    /// The job file as the user named it.
    public var file: String
    public var jobID: SourceLocation?
    public var schedule: SourceLocation?
    public var startDate: SourceLocation?
    public var catchup: SourceLocation?
    /// The first tag.
    public var tags: SourceLocation?
    public var onFailure: SourceLocation?
    /// `defaults:` values, so a task's inherited policy points at the line that set it.
    public var defaultRetries: SourceLocation?
    public var defaultRetryDelay: SourceLocation?
    public var defaultTimeout: SourceLocation?

    public init(file: String) {
        self.file = file
    }

    /// The top of the file: where problems of the whole job are shown when nothing better is known.
    public var fileStart: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }
}

/// Where a task's settings are written. A policy value inherited from `defaults:` points there.
public struct TaskSources: Sendable, Equatable {
    /// The task's key under `tasks:`.
    public var key: SourceLocation?
    /// `task_id:`, or the key when there is none.
    public var taskID: SourceLocation?
    public var function: SourceLocation?
    public var secret: SourceLocation?
    public var retries: SourceLocation?
    public var retryDelay: SourceLocation?
    public var timeout: SourceLocation?
    public var triggerRule: SourceLocation?
    /// The task's own `on_failure:` (the job's is in `JobSources`).
    public var onFailure: SourceLocation?
    public var forEach: SourceLocation?

    public init() {}
}
