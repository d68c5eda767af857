using System.ComponentModel.DataAnnotations;

namespace SagaWorkflows.WorkerSdk.Ai;

/// <summary>
/// <c>SagaWorkflows:AiStreaming</c>: how a streamed <c>ai</c> step's text is batched into <c>step-progress</c> events,
/// so a model that sends a token at a time does not flood the bus: a batch goes out when it holds
/// <see cref="ProgressCharacters"/> characters or its first character has waited <see cref="ProgressInterval"/>,
/// whichever comes first.
/// </summary>
public sealed class AiStreamingOptions : IValidatableObject
{
    public const string SectionName = "SagaWorkflows:AiStreaming";

    /// <summary>The longest a received character waits before it is published.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A batch this long is published at once.</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be between 1 and 1000000")]
    public int ProgressCharacters { get; set; } = 200;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProgressInterval <= TimeSpan.Zero || ProgressInterval > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("must be more than 00:00:00 and at most 00:01:00", [nameof(ProgressInterval)]);
        }
    }
}
