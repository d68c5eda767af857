using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using SagaWorkflows.WorkerSdk.Ai;

namespace SagaWorkflows.Orchestration.Tests.Workers;

public class ConfiguredChatClientsTests
{
    [Fact]
    public void An_ollama_model_is_served_by_the_ollama_client_at_its_endpoint()
    {
        var client = ConfiguredChatClients.Create("local", new ChatModelOptions { Provider = "Ollama", Endpoint = "http://127.0.0.1:11434", Model = "llama3.2" });

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("llama3.2", metadata!.DefaultModelId);
        Assert.Equal(new Uri("http://127.0.0.1:11434/"), metadata.ProviderUri);
    }

    [Fact]
    public void An_openai_compatible_model_uses_the_configured_endpoint()
    {
        var client = ConfiguredChatClients.Create("gateway", new ChatModelOptions { Provider = "openai", Endpoint = "http://127.0.0.1:8080/v1", Model = "gpt-4o-mini", ApiKey = "k" });

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("gpt-4o-mini", metadata!.DefaultModelId);
        Assert.Equal("127.0.0.1", metadata.ProviderUri!.Host);
    }

    [Fact]
    public void An_unknown_provider_is_a_clear_configuration_error()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            ConfiguredChatClients.Create("x", new ChatModelOptions { Provider = "Telepathy", Model = "m" }));

        Assert.Equal("SagaWorkflows:Models:x:Provider: must be OpenAI (any OpenAI-compatible endpoint) or Ollama (is 'Telepathy')", error.Message);
    }

    [Fact]
    public void Every_problem_of_a_model_is_named_by_its_configuration_key_and_secrets_are_not_echoed()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            ConfiguredChatClients.Create("gateway", new ChatModelOptions { Provider = "OpenAI", Endpoint = "not a uri", Model = "", ApiKey = "sk-secret" }));

        Assert.Contains("SagaWorkflows:Models:gateway:Model: is required: the provider's model name, e.g. llama3.2 (is '')", error.Failures);
        Assert.Contains("SagaWorkflows:Models:gateway:Endpoint: must be an absolute URI such as http://localhost:11434 (is 'not a uri')", error.Failures);
        Assert.DoesNotContain("sk-secret", error.Message, StringComparison.Ordinal);
    }
}
