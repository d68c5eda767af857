using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Engine;

/// <summary>What happened to a run: the engine's input.</summary>
public abstract record RunEvent;

public sealed record StepSucceeded(Guid ExecutionId, int Attempt, JsonNode? Output) : RunEvent;

/// <summary>A worker gave up on an attempt: non-retryable, or attempts exhausted.</summary>
public sealed record StepFailed(Guid ExecutionId, int Attempt, string ErrorType, string Message, bool Retryable) : RunEvent;

/// <summary>A worker scheduled a redelivery of the step's command.</summary>
public sealed record StepRetryScheduled(Guid ExecutionId, int Attempt, int NextAttempt, TimeSpan Delay, string ErrorType, string Message) : RunEvent;

/// <summary>A worker refused an attempt because the run had already given up on it (its deadline passed).</summary>
public sealed record StepAttemptExpired(Guid ExecutionId, int Attempt) : RunEvent;

public sealed record SignalReceived(string Signal, JsonNode? Payload) : RunEvent;

/// <summary>Time passed: timeouts, sleeps and retry timers that are due fire.</summary>
public sealed record TimerElapsed : RunEvent;

public sealed record SuspendRequested : RunEvent
{
    /// <summary>Set by a parent run steering its child: a command older than one already applied is ignored,
    /// so a resume that overtook its suspend does not leave the child paused.</summary>
    public long? Generation { get; init; }
}

public sealed record ResumeRequested : RunEvent
{
    /// <inheritdoc cref="SuspendRequested.Generation"/>
    public long? Generation { get; init; }
}

public sealed record CancelRequested(string? Reason) : RunEvent;

/// <summary>The compensation of one completed step ran.</summary>
public sealed record StepCompensationSucceeded(string Path, DateTimeOffset CompletedAt) : RunEvent;

/// <summary>A child run started by a <c>workflow</c> step ended (<see cref="Contracts.ChildRunFinished"/>).</summary>
public sealed record ChildRunEnded(Guid ChildRunId, string Status, JsonNode? Output, StepError? Error, IReadOnlyList<CompensationEntry> Compensations) : RunEvent;

/// <summary>A child run's start was taken (<see cref="Contracts.ChildRunStarted"/>): commands sent to it from now on reach it.</summary>
public sealed record ChildRunBegan(Guid ChildRunId) : RunEvent;

/// <summary>The compensation routing slip ended.</summary>
public sealed record CompensationFinished(bool Succeeded, string? FailedPath, string? Error) : RunEvent;
