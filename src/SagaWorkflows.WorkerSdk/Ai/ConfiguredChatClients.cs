using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using OllamaSharp;
using OpenAI;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.WorkerSdk.Ai;

public static class ConfiguredChatClients
{
    /// <summary>
    /// Registers every model under <c>SagaWorkflows:Models</c>, e.g.
    /// <c>SagaWorkflows__Models__default__Provider=Ollama</c>, <c>__Endpoint=http://localhost:11434</c>,
    /// <c>__Model=llama3.2</c>. A configured model replaces one registered in code under the same name. Also reads how
    /// streamed steps batch their progress, <c>SagaWorkflows:AiStreaming</c> (<see cref="AiStreamingOptions"/>).
    /// </summary>
    public static SagaWorkflowsWorkerBuilder AddChatClientsFromConfiguration(this SagaWorkflowsWorkerBuilder worker, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(configuration);
        var streaming = configuration.GetSection(AiStreamingOptions.SectionName);
        if (streaming.Exists())
        {
            streaming.Bind(worker.AiStreaming);
            OptionsValidation.ThrowIfInvalid(worker.AiStreaming, AiStreamingOptions.SectionName);
        }

        foreach (var section in configuration.GetSection("SagaWorkflows:Models").GetChildren())
        {
            var options = new ChatModelOptions();
            section.Bind(options);
            var client = Create(section.Key, options);
            worker.AddChatClient(section.Key, _ => client);
        }

        return worker;
    }

    public static IChatClient Create(string name, ChatModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ThrowIfInvalid(options, ChatModelOptions.SectionName.Replace("<name>", name, StringComparison.Ordinal));

        return options.Provider.ToUpperInvariant() switch
        {
            "OPENAI" => new OpenAIClient(new ApiKeyCredential(options.ApiKey ?? "unused"),
                    new OpenAIClientOptions { Endpoint = options.Endpoint is { } e ? new Uri(e) : null })
                .GetChatClient(options.Model)
                .AsIChatClient(),
            "OLLAMA" => new OllamaApiClient(new Uri(options.Endpoint ?? "http://localhost:11434"), options.Model),
            _ => throw new InvalidOperationException(
                $"SagaWorkflows:Models:{name}:Provider is '{options.Provider}'; use OpenAI (any OpenAI-compatible endpoint) or Ollama"),
        };
    }
}
