using System.ComponentModel.DataAnnotations;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.WorkerSdk.Ai;

/// <summary>One entry of <c>SagaWorkflows:Models</c>: a chat model served to <c>ai</c> steps.</summary>
public sealed class ChatModelOptions : IValidatableObject
{
    /// <summary>The section of one model; <c>&lt;name&gt;</c> is the <c>model</c> an <c>ai</c> step names.</summary>
    public const string SectionName = "SagaWorkflows:Models:<name>";

    /// <summary><c>OpenAI</c> (any OpenAI-compatible endpoint) or <c>Ollama</c>.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The provider's base address, e.g. <c>http://localhost:11434</c> for Ollama.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The provider's model name, e.g. <c>gpt-4o-mini</c> or <c>llama3.2</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "is required: the provider's model name, e.g. llama3.2")]
    public string Model { get; set; } = "";

    /// <summary>For OpenAI-compatible endpoints; prefer an environment variable or a secret store.</summary>
    [ConfigurationKey(SectionName + ":ApiKey", Secret = true)]
    public string? ApiKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Provider, "OpenAI", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Provider, "Ollama", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("must be OpenAI (any OpenAI-compatible endpoint) or Ollama", [nameof(Provider)]);
        }

        if (Endpoint is { Length: > 0 } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("must be an absolute URI such as http://localhost:11434", [nameof(Endpoint)]);
        }
    }
}
