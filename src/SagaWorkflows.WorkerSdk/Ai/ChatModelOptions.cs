namespace SagaWorkflows.WorkerSdk.Ai;

/// <summary>One entry of <c>SagaWorkflows:Models</c>: a chat model served to <c>ai</c> steps.</summary>
public sealed class ChatModelOptions
{
    /// <summary><c>OpenAI</c> (any OpenAI-compatible endpoint) or <c>Ollama</c>.</summary>
    public string Provider { get; set; } = "";

    /// <summary>The provider's base address, e.g. <c>http://localhost:11434</c> for Ollama.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The provider's model name, e.g. <c>gpt-4o-mini</c> or <c>llama3.2</c>.</summary>
    public string Model { get; set; } = "";

    /// <summary>For OpenAI-compatible endpoints; prefer an environment variable or a secret store.</summary>
    public string? ApiKey { get; set; }
}
