using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// Everything the engine knows about one run, persisted between messages. Only what is still
/// needed is kept: finished loop iterations and foreach bodies are dropped, their outputs folded
/// into their parent's result.
/// </summary>
public sealed class RunState
{
    public Guid RunId { get; set; }
    public string WorkflowId { get; set; } = "";
    public RunStatus Status { get; set; } = RunStatus.Running;
    public JsonNode? Input { get; set; }
    public JsonNode? Output { get; set; }

    /// <summary>Why the run failed (the first step error), or why it was rejected.</summary>
    public StepError? Error { get; set; }

    /// <summary>The last lifecycle event's sequence: events are numbered 1, 2, ... without gaps.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The run-level timeout, if the definition sets one.</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>Set when the run fails or is cancelled: nothing new starts; in-flight steps finish.</summary>
    public HaltReason? Halt { get; set; }

    public string? CancelReason { get; set; }

    /// <summary>Suspended by <c>SuspendWorkflow</c>: new dispatches are deferred until resumed.</summary>
    public bool Suspended { get; set; }

    public SequenceFrame Root { get; set; } = new();

    /// <summary>Completed steps that declare a compensation, in order of completion.</summary>
    public List<CompensationEntry> CompensationLog { get; set; } = [];

    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled
        or RunStatus.Compensated or RunStatus.CompensationFailed;
}

public enum RunStatus
{
    Running,
    Suspended,
    Compensating,
    Completed,
    Failed,
    Cancelled,
    Compensated,
    CompensationFailed,
}

public enum HaltReason
{
    Failure,
    Cancel,
}

/// <summary>An error as lifecycle events and run snapshots report it.</summary>
public sealed record StepError(string Type, string Message, string? Path = null)
{
    public static StepError Expression(string message, string? path = null) => new(ErrorTypes.Expression, message, path);
}

public static class ErrorTypes
{
    public const string Expression = "ExpressionError";
    public const string Timeout = "Timeout";
    public const string Validation = "ValidationError";
    public const string MaxIterations = "MaxIterationsExceeded";
    public const string InvalidInput = "InvalidInput";
    public const string Cancelled = "Cancelled";
}

/// <summary>One completed step to undo if the run fails or is cancelled.</summary>
public sealed record CompensationEntry
{
    public required string StepId { get; init; }
    public required string Path { get; init; }
    public required string Tool { get; init; }
    public JsonNode? Input { get; init; }

    /// <summary>Set when the compensation's input could not be rendered: compensating it fails.</summary>
    public string? InputError { get; init; }

    public Contracts.StepRetryPolicy? Retry { get; init; }
    public bool Compensated { get; set; }
}
