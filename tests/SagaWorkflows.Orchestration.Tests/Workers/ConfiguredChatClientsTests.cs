using Microsoft.Extensions.AI;
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
        var error = Assert.Throws<InvalidOperationException>(() =>
            ConfiguredChatClients.Create("x", new ChatModelOptions { Provider = "Telepathy", Model = "m" }));

        Assert.Equal("SagaWorkflows:Models:x:Provider is 'Telepathy'; use OpenAI (any OpenAI-compatible endpoint) or Ollama", error.Message);
    }
}
