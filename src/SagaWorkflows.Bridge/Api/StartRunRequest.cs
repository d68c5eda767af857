using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// The body of <c>POST /runs</c>: <c>{ "workflowId" | "definition", "version"?, "input"?, "runId"? }</c>.
/// <c>definition</c> may be the definition object or its JSON text; either way it is forwarded as JSON
/// text in <see cref="Contracts.StartWorkflow.Definition"/>.
/// </summary>
public sealed record StartRunRequest(Guid? RunId, string? WorkflowId, int? Version, string? Definition,
    string? DefinitionId, JsonElement? Input)
{
    /// <returns>False with every problem found, each naming its JSON path.</returns>
    public static bool TryParse(JsonElement root, out StartRunRequest? request, out string? problem)
    {
        request = null;
        var problems = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"$: the body must be a JSON object {{ \"workflowId\" | \"definition\", \"input\" }}, not {RequestFields.Describe(root)}.";
            return false;
        }

        Guid? runId = null;
        if (root.TryGetProperty("runId", out var runIdElement) && runIdElement.ValueKind != JsonValueKind.Null)
        {
            if (runIdElement.ValueKind == JsonValueKind.String && Guid.TryParse(runIdElement.GetString(), out var parsed))
            {
                if (RunIds.TryParse(runIdElement.GetString(), out _, out var runIdProblem))
                {
                    runId = parsed;
                }
                else
                {
                    problems.Add("$.runId: " + runIdProblem);
                }
            }
            else
            {
                problems.Add($"$.runId: must be a GUID string, not {RequestFields.Describe(runIdElement)}.");
            }
        }

        var workflowId = RequestFields.OptionalString(root, "workflowId", problems);
        var version = RequestFields.Version(root, problems);

        string? definition = null;
        string? definitionId = null;
        if (root.TryGetProperty("definition", out var definitionElement) && definitionElement.ValueKind != JsonValueKind.Null)
        {
            switch (definitionElement.ValueKind)
            {
                case JsonValueKind.Object:
                    definition = definitionElement.GetRawText();
                    definitionId = IdOf(definitionElement);
                    break;
                case JsonValueKind.String:
                    try
                    {
                        using var parsed = JsonDocument.Parse(definitionElement.GetString()!, new JsonDocumentOptions { AllowDuplicateProperties = false });
                        if (parsed.RootElement.ValueKind == JsonValueKind.Object)
                        {
                            definition = parsed.RootElement.GetRawText();
                            definitionId = IdOf(parsed.RootElement);
                        }
                        else
                        {
                            problems.Add($"$.definition: the string must hold a JSON object, not {RequestFields.Describe(parsed.RootElement)}.");
                        }
                    }
                    catch (JsonException ex)
                    {
                        problems.Add("$.definition: the string is not valid JSON: " + ex.Message);
                    }

                    break;
                default:
                    problems.Add($"$.definition: must be a workflow definition object or its JSON text, not {RequestFields.Describe(definitionElement)}.");
                    break;
            }
        }

        if (workflowId is null && definition is null && problems.Count == 0)
        {
            problems.Add("$: give either \"workflowId\" (a definition the orchestrator knows) or \"definition\" (inline).");
        }

        var input = RequestFields.Input(root);

        if (problems.Count > 0)
        {
            problem = string.Join(" ", problems);
            return false;
        }

        request = new StartRunRequest(runId, workflowId, version, definition, definitionId, input);
        problem = null;
        return true;
    }

    /// <summary>
    /// What makes two starts the same start: a client retrying <c>POST /runs</c> with its runId sends the same
    /// body; another workflow, definition, version or input under a used runId is a different run.
    /// </summary>
    public string Fingerprint()
    {
        var text = string.Join('\u001f', WorkflowId ?? "", Version?.ToString(CultureInfo.InvariantCulture) ?? "", Definition ?? "",
            Input is { } input ? input.GetRawText() : "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string? IdOf(JsonElement definition) =>
        definition.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
}
