using SagaWorkflows.Contracts;

namespace SagaWorkflows.Core.Definitions;

/// <summary>The retry policy of a <c>tool</c> or <c>ai</c> step; defaults as in the product brief.</summary>
public sealed record RetryPolicyDefinition
{
    public static readonly RetryPolicyDefinition Default = new();

    public int MaxAttempts { get; init; } = 3;
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);
    public double BackoffRate { get; init; } = 2.0;
    public TimeSpan? MaxInterval { get; init; }
    public string Jitter { get; init; } = "none";
    public IReadOnlyList<string>? RetryOn { get; init; }
    public IReadOnlyList<string> NonRetryable { get; init; } = [];

    public StepRetryPolicy ToContract() => new()
    {
        MaxAttempts = MaxAttempts,
        InitialInterval = InitialInterval,
        BackoffRate = BackoffRate,
        MaxInterval = MaxInterval,
        Jitter = Jitter,
        RetryOn = RetryOn,
        NonRetryable = NonRetryable,
    };
}
