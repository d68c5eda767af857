using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// Asks the worker hosting <see cref="Tool"/> to run one attempt of a step. Sent to the tool's own
/// queue (<see cref="QueueNames.Tool"/>); the worker answers with <see cref="StepCompleted"/> or
/// <see cref="StepFaulted"/> to the response address. <see cref="ExecutionId"/> identifies the step
/// execution across attempts and duplicates.
/// </summary>
public sealed record ExecuteTool
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public string Tool { get; init; } = "";

    /// <summary>The attempt this dispatch starts at; redeliveries by the worker count up from it.</summary>
    public int Attempt { get; init; } = 1;

    public JsonElement? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }

    /// <summary>Bounds one attempt; the worker cancels the tool past it.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>When the run gives up on this attempt (set when the step has a timeout). A worker that receives the
    /// command later does not run it and answers <see cref="StepExpired"/>: nothing would wait for its result or undo it.</summary>
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>An <c>ai</c> step: rendered prompts, sent to the queue of <see cref="Model"/>.</summary>
public sealed record ExecuteAiStep
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public string Model { get; init; } = "";
    public int Attempt { get; init; } = 1;
    public string? System { get; init; }
    public string Prompt { get; init; } = "";
    public JsonElement? OutputSchema { get; init; }
    public StepRetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }

    /// <summary>As <see cref="ExecuteTool.Deadline"/>.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The step's <c>"stream": true</c>: ask the model for a streamed reply and publish <see cref="StepProgress"/> as it grows.</summary>
    public bool Stream { get; init; }

    /// <summary>The run's workflow, carried so <see cref="StepProgress"/> can name it.</summary>
    public string? WorkflowId { get; init; }
}

/// <summary>The retry policy of a step, carried with its command so the worker can redeliver it.</summary>
public sealed record StepRetryPolicy
{
    public int MaxAttempts { get; init; } = 3;
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);
    public double BackoffRate { get; init; } = 2.0;
    public TimeSpan? MaxInterval { get; init; }
    public string Jitter { get; init; } = "none";
    public IReadOnlyList<string>? RetryOn { get; init; }
    public IReadOnlyList<string> NonRetryable { get; init; } = [];
}

public sealed record StepCompleted
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string Path { get; init; } = "";
    public int Attempt { get; init; }
    public JsonElement? Output { get; init; }
}

/// <summary>A step attempt failed and will not be retried by the worker.</summary>
public sealed record StepFaulted
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string Path { get; init; } = "";
    public int Attempt { get; init; }
    public string ErrorType { get; init; } = "";
    public string Message { get; init; } = "";

    /// <summary>False when the error type is non-retryable; true when attempts ran out.</summary>
    public bool Retryable { get; init; }
}

/// <summary>A step attempt failed and the worker scheduled attempt <see cref="NextAttempt"/>.</summary>
public sealed record StepRetrying
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string Path { get; init; } = "";
    public int Attempt { get; init; }
    public int NextAttempt { get; init; }
    public TimeSpan Delay { get; init; }
    public string ErrorType { get; init; } = "";
    public string Message { get; init; } = "";
}

/// <summary>
/// A worker did not run an attempt because its <see cref="ExecuteTool.Deadline"/> had passed when the command
/// reached it: the run has given up on that attempt (it retries or fails the step as on a timeout).
/// </summary>
public sealed record StepExpired
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string Path { get; init; } = "";
    public int Attempt { get; init; }
    public DateTimeOffset Deadline { get; init; }
}

/// <summary>Tells a caller why a signal was not accepted (unknown run, not waiting, invalid payload).</summary>
public sealed record SignalRejected
{
    public Guid RunId { get; init; }
    public string Signal { get; init; } = "";
    public string Reason { get; init; } = "";
}

/// <summary>Internal: wakes a run whose timer (timeout, sleep, re-dispatch) is due.</summary>
public sealed record WakeWorkflowRun
{
    public Guid RunId { get; init; }
}
