using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Retries;

namespace SagaWorkflows.Core.Tests.Retries;

public class RetryDelaysTests
{
    private static readonly StepRetryPolicy Defaults = new();

    [Fact]
    public void Without_jitter_the_delays_double_from_the_initial_interval()
    {
        var policy = Defaults with { MaxAttempts = 10 };
        var random = new Random(1);

        var delays = Enumerable.Range(2, 6).Select(next => RetryDelays.DelayBeforeAttempt(policy, next, random));

        Assert.Equal(
            [1, 2, 4, 8, 16, 32],
            delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void The_backoff_rate_and_initial_interval_shape_the_sequence()
    {
        var policy = Defaults with { InitialInterval = TimeSpan.FromMilliseconds(500), BackoffRate = 1.5 };
        var random = new Random(1);

        Assert.Equal(TimeSpan.FromMilliseconds(500), RetryDelays.DelayBeforeAttempt(policy, 2, random));
        Assert.Equal(TimeSpan.FromMilliseconds(750), RetryDelays.DelayBeforeAttempt(policy, 3, random));
        Assert.Equal(TimeSpan.FromMilliseconds(1125), RetryDelays.DelayBeforeAttempt(policy, 4, random));
    }

    [Fact]
    public void A_backoff_rate_of_one_waits_the_same_every_time()
    {
        var policy = Defaults with { BackoffRate = 1 };

        Assert.All(
            Enumerable.Range(2, 20).Select(next => RetryDelays.DelayBeforeAttempt(policy, next, new Random(1))),
            d => Assert.Equal(TimeSpan.FromSeconds(1), d));
    }

    [Fact]
    public void Without_jitter_max_interval_caps_the_delay()
    {
        var policy = Defaults with { MaxInterval = TimeSpan.FromSeconds(5) };
        var random = new Random(1);

        Assert.Equal(TimeSpan.FromSeconds(4), RetryDelays.DelayBeforeAttempt(policy, 4, random));
        Assert.Equal(TimeSpan.FromSeconds(5), RetryDelays.DelayBeforeAttempt(policy, 5, random));
        Assert.Equal(TimeSpan.FromSeconds(5), RetryDelays.DelayBeforeAttempt(policy, 30, random));
    }

    [Fact]
    public void Full_jitter_stays_within_zero_and_the_computed_delay_and_spreads_over_it()
    {
        var policy = Defaults with { Jitter = "full" };
        var random = new Random(12345);
        var ceiling = TimeSpan.FromSeconds(8);

        var samples = Enumerable.Range(0, 5000).Select(_ => RetryDelays.DelayBeforeAttempt(policy, 5, random)).ToList();

        Assert.All(samples, d => Assert.InRange(d, TimeSpan.Zero, ceiling));
        // Uniform over [0, 8 s]: both ends are reached and the mean sits near the middle.
        Assert.Contains(samples, d => d < TimeSpan.FromSeconds(0.5));
        Assert.Contains(samples, d => d > TimeSpan.FromSeconds(7.5));
        Assert.InRange(samples.Average(d => d.TotalSeconds), 3.8, 4.2);
    }

    [Fact]
    public void Full_jitter_is_reproducible_with_a_seeded_random()
    {
        var policy = Defaults with { Jitter = "full" };

        var first = Enumerable.Range(2, 10).Select(next => RetryDelays.DelayBeforeAttempt(policy, next, new Random(7))).ToList();
        var second = Enumerable.Range(2, 10).Select(next => RetryDelays.DelayBeforeAttempt(policy, next, new Random(7))).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void The_cap_applies_after_full_jitter_so_no_delay_exceeds_max_interval()
    {
        var max = TimeSpan.FromSeconds(3);
        var policy = Defaults with { Jitter = "full", MaxInterval = max };
        var random = new Random(99);

        // By attempt 12 the uncapped backoff is 1024 s, far above the cap.
        var samples = Enumerable.Range(0, 5000).Select(_ => RetryDelays.DelayBeforeAttempt(policy, 12, random)).ToList();

        Assert.All(samples, d => Assert.InRange(d, TimeSpan.Zero, max));
        // Jittered within the cap rather than collapsed onto it.
        Assert.InRange(samples.Average(d => d.TotalSeconds), 1.3, 1.7);
        Assert.True(samples.Count(d => d == max) < 10);
    }

    [Fact]
    public void Huge_exponents_saturate_instead_of_overflowing()
    {
        var uncapped = Defaults with { BackoffRate = 10 };
        var capped = uncapped with { MaxInterval = TimeSpan.FromMinutes(5) };
        var jittered = uncapped with { Jitter = "full" };
        var random = new Random(3);

        Assert.Equal(TimeSpan.MaxValue, RetryDelays.DelayBeforeAttempt(uncapped, 400, random));
        Assert.Equal(TimeSpan.MaxValue, RetryDelays.DelayBeforeAttempt(uncapped, int.MaxValue, random));
        Assert.Equal(TimeSpan.FromMinutes(5), RetryDelays.DelayBeforeAttempt(capped, int.MaxValue, random));
        Assert.InRange(RetryDelays.DelayBeforeAttempt(jittered, int.MaxValue, random), TimeSpan.Zero, TimeSpan.MaxValue);
    }

    [Fact]
    public void A_zero_initial_interval_stays_zero_even_with_huge_exponents()
    {
        var policy = Defaults with { InitialInterval = TimeSpan.Zero, BackoffRate = 10 };

        Assert.Equal(TimeSpan.Zero, RetryDelays.DelayBeforeAttempt(policy, int.MaxValue, new Random(1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void There_is_no_delay_before_the_first_attempt(int nextAttempt)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDelays.DelayBeforeAttempt(Defaults, nextAttempt, new Random(1)));
    }

    [Fact]
    public void Invalid_policies_are_refused()
    {
        var random = new Random(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDelays.DelayBeforeAttempt(Defaults with { BackoffRate = 0.5 }, 2, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDelays.DelayBeforeAttempt(Defaults with { BackoffRate = double.NaN }, 2, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDelays.DelayBeforeAttempt(Defaults with { InitialInterval = TimeSpan.FromSeconds(-1) }, 2, random));
        Assert.Throws<ArgumentException>(() => RetryDelays.DelayBeforeAttempt(Defaults with { Jitter = "equal" }, 2, random));
    }

    [Fact]
    public void Every_error_is_retryable_by_default()
    {
        Assert.True(RetryDelays.IsRetryable(Defaults, "HttpTimeout"));
        Assert.True(RetryDelays.IsRetryable(Defaults, ""));
    }

    [Fact]
    public void Retry_on_limits_retries_to_the_listed_error_types()
    {
        var policy = Defaults with { RetryOn = ["HttpTimeout", "RateLimited"] };

        Assert.True(RetryDelays.IsRetryable(policy, "HttpTimeout"));
        Assert.True(RetryDelays.IsRetryable(policy, "RateLimited"));
        Assert.False(RetryDelays.IsRetryable(policy, "ValidationFailed"));
        Assert.False(RetryDelays.IsRetryable(policy, "httptimeout"));
    }

    [Fact]
    public void Non_retryable_wins_over_retry_on()
    {
        var policy = Defaults with { RetryOn = ["HttpTimeout", "RateLimited"], NonRetryable = ["RateLimited"] };

        Assert.True(RetryDelays.IsRetryable(policy, "HttpTimeout"));
        Assert.False(RetryDelays.IsRetryable(policy, "RateLimited"));
    }

    [Fact]
    public void Non_retryable_alone_excludes_only_its_types()
    {
        var policy = Defaults with { NonRetryable = ["ValidationFailed"] };

        Assert.False(RetryDelays.IsRetryable(policy, "ValidationFailed"));
        Assert.True(RetryDelays.IsRetryable(policy, "HttpTimeout"));
    }

    [Fact]
    public void An_empty_retry_on_counts_as_absent()
    {
        Assert.True(RetryDelays.IsRetryable(Defaults with { RetryOn = [] }, "HttpTimeout"));
    }

    [Fact]
    public void Max_attempts_of_one_means_no_retry()
    {
        var policy = Defaults with { MaxAttempts = 1 };

        Assert.False(RetryDelays.ShouldRetry(policy, 1, "HttpTimeout"));
    }

    [Fact]
    public void Max_attempts_counts_the_first_attempt()
    {
        var policy = Defaults with { MaxAttempts = 3 };

        Assert.True(RetryDelays.ShouldRetry(policy, 1, "HttpTimeout"));
        Assert.True(RetryDelays.ShouldRetry(policy, 2, "HttpTimeout"));
        Assert.False(RetryDelays.ShouldRetry(policy, 3, "HttpTimeout"));
        Assert.False(RetryDelays.ShouldRetry(policy, 4, "HttpTimeout"));
    }

    [Fact]
    public void A_non_retryable_error_is_not_retried_even_with_attempts_left()
    {
        var policy = Defaults with { MaxAttempts = 5, NonRetryable = ["ValidationFailed"] };

        Assert.False(RetryDelays.ShouldRetry(policy, 1, "ValidationFailed"));
        Assert.True(RetryDelays.ShouldRetry(policy, 1, "HttpTimeout"));
    }
}
