using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;

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

    /// <summary>Set for a child run: the parent's run and <c>workflow</c> step, told how this run ended.</summary>
    public Contracts.ParentRun? Parent { get; set; }

    /// <summary>A parent's suspends and resumes: this run's own count of those it sent its children, and the last
    /// one applied to this run by its parent.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ChildControl { get; set; }

    /// <inheritdoc cref="ChildControl"/>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public long ParentControl { get; set; }

    /// <summary>Some sequence yielded at the end of a transition's budget and waits for the run's next wake-up to go on.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Continuing { get; set; }

    /// <summary>Completed steps that declare a compensation, in order of completion.</summary>
    public List<CompensationEntry> CompensationLog { get; set; } = [];

    /// <summary>The compensation under way: what was planned and which reports arrived, whatever their order.</summary>
    public CompensationProgress? Compensation { get; set; }

    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled
        or RunStatus.Compensated or RunStatus.CompensationFailed;
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

    /// <summary>A run-time value beyond a configured limit (<c>SagaWorkflows:Limits</c>): a payload, a foreach's items.</summary>
    public const string PayloadTooLarge = "PayloadTooLarge";
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

    /// <summary>When its compensation activity completed, as the routing slip reported it.</summary>
    public DateTimeOffset? CompensatedAt { get; set; }
}

/// <summary>
/// The routing slip's reports arrive in any order (the runs' queue is consumed concurrently), so each
/// planned step is accounted for on its own and reported in the plan's order; the compensation ends
/// only when every step before the end the slip reported has been accounted for.
/// </summary>
public sealed class CompensationProgress
{
    /// <summary>Paths of the steps to undo, in the order the slip undoes them (reverse of completion).</summary>
    public List<string> Plan { get; set; } = [];

    /// <summary>How many of <see cref="Plan"/> have had their <c>step-compensated</c> event.</summary>
    public int Reported { get; set; }

    /// <summary>Set when the slip's end arrived: true completed, false faulted.</summary>
    public bool? Succeeded { get; set; }

    /// <summary>The activity the slip faulted at; null when it did not say.</summary>
    public string? FailedPath { get; set; }

    public string? Error { get; set; }
}
