using SagaWorkflows.Contracts;

namespace SagaWorkflows.Core.Retries;

/// <summary>
/// The arithmetic of a step's retry policy: whether a failed attempt is retried and how long to wait
/// before the next one. Pure, so the worker's redelivery filter and the saga's <c>step-retry</c>
/// event agree by construction.
/// </summary>
public static class RetryDelays
{
    public const string NoJitter = "none";
    public const string FullJitter = "full";

    /// <summary>
    /// The delay before attempt <paramref name="nextAttempt"/> (2 for the first retry):
    /// <c>initialInterval × backoffRate^(nextAttempt − 2)</c>, capped by <c>maxInterval</c>, then jittered,
    /// then capped again.
    /// </summary>
    /// <remarks>
    /// Capping before the jitter keeps full jitter spread over <c>[0, maxInterval]</c> once the backoff
    /// has grown past the cap, instead of collapsing onto the cap; capping after it is what guarantees
    /// no delay ever exceeds <c>maxInterval</c> (MassTransit's own exponential policy can overshoot by 25%).
    /// An exponent too large for a <see cref="TimeSpan"/> saturates at <see cref="TimeSpan.MaxValue"/>
    /// before the cap rather than overflowing.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="nextAttempt"/> is below 2, or the policy has a negative interval or a backoff rate below 1.
    /// </exception>
    /// <exception cref="ArgumentException">The policy's jitter is neither <c>none</c> nor <c>full</c>.</exception>
    public static TimeSpan DelayBeforeAttempt(StepRetryPolicy policy, int nextAttempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(nextAttempt, 2);
        Validate(policy);

        var exponent = nextAttempt - 2;
        var ticks = policy.InitialInterval.Ticks * Math.Pow(policy.BackoffRate, exponent);
        var delay = Cap(FromTicksSaturating(ticks), policy.MaxInterval);

        if (string.Equals(policy.Jitter, FullJitter, StringComparison.Ordinal))
        {
            delay = FromTicksSaturating(delay.Ticks * random.NextDouble());
        }

        return Cap(delay, policy.MaxInterval);
    }

    /// <summary>
    /// Whether an error of <paramref name="errorType"/> may be retried at all: <c>nonRetryable</c> wins;
    /// a non-empty <c>retryOn</c> retries only the types it names; otherwise every type is retryable.
    /// </summary>
    /// <remarks>
    /// An empty <c>retryOn</c> counts as absent: a policy that retries nothing says so with
    /// <c>maxAttempts: 1</c>, and an empty list is far more often a serializer's default than a decision.
    /// Types compare ordinally, as the identifiers tools report them as.
    /// </remarks>
    public static bool IsRetryable(StepRetryPolicy policy, string errorType)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(errorType);

        if (policy.NonRetryable.Contains(errorType, StringComparer.Ordinal))
        {
            return false;
        }

        if (policy.RetryOn is { Count: > 0 } retryOn)
        {
            return retryOn.Contains(errorType, StringComparer.Ordinal);
        }

        return true;
    }

    /// <summary>
    /// Whether attempt <paramref name="attempt"/> (1 for the first), having failed with
    /// <paramref name="errorType"/>, is followed by another: attempts remain (<c>maxAttempts</c> counts
    /// the first one) and the error is retryable.
    /// </summary>
    public static bool ShouldRetry(StepRetryPolicy policy, int attempt, string errorType)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);

        return attempt < policy.MaxAttempts && IsRetryable(policy, errorType);
    }

    private static void Validate(StepRetryPolicy policy)
    {
        if (policy.InitialInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy.InitialInterval, "initialInterval must not be negative.");
        }

        // Written so that NaN fails too.
        if (!(policy.BackoffRate >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy.BackoffRate, "backoffRate must be at least 1.");
        }

        if (policy.MaxInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy.MaxInterval, "maxInterval must not be negative.");
        }

        if (!string.Equals(policy.Jitter, NoJitter, StringComparison.Ordinal)
            && !string.Equals(policy.Jitter, FullJitter, StringComparison.Ordinal))
        {
            throw new ArgumentException($"jitter must be '{NoJitter}' or '{FullJitter}', not '{policy.Jitter}'.", nameof(policy));
        }
    }

    private static TimeSpan Cap(TimeSpan delay, TimeSpan? maxInterval) =>
        maxInterval is { } max && delay > max ? max : delay;

    private static TimeSpan FromTicksSaturating(double ticks)
    {
        // NaN only comes from a zero interval times an infinite power: zero is the honest answer.
        if (double.IsNaN(ticks))
        {
            return TimeSpan.Zero;
        }

        // (double)long.MaxValue rounds up past long.MaxValue, so the comparison must be >=.
        if (ticks >= TimeSpan.MaxValue.Ticks)
        {
            return TimeSpan.MaxValue;
        }

        return ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)ticks);
    }
}
