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
            problem = $"$: the body must be a JSON object {{ \"workflowId\" | \"definition\", \"input\" }}, not {Describe(root)}.";
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
                problems.Add($"$.runId: must be a GUID string, not {Describe(runIdElement)}.");
            }
        }

        string? workflowId = null;
        if (root.TryGetProperty("workflowId", out var workflowIdElement) && workflowIdElement.ValueKind != JsonValueKind.Null)
        {
            if (workflowIdElement.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(workflowIdElement.GetString()))
            {
                workflowId = workflowIdElement.GetString();
            }
            else
            {
                problems.Add($"$.workflowId: must be a non-empty string, not {Describe(workflowIdElement)}.");
            }
        }

        int? version = null;
        if (root.TryGetProperty("version", out var versionElement) && versionElement.ValueKind != JsonValueKind.Null)
        {
            if (versionElement.ValueKind == JsonValueKind.Number && versionElement.TryGetInt32(out var v) && v > 0)
            {
                version = v;
            }
            else
            {
                problems.Add($"$.version: must be a positive integer, not {Describe(versionElement)}.");
            }
        }

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
                            problems.Add($"$.definition: the string must hold a JSON object, not {Describe(parsed.RootElement)}.");
                        }
                    }
                    catch (JsonException ex)
                    {
                        problems.Add("$.definition: the string is not valid JSON: " + ex.Message);
                    }

                    break;
                default:
                    problems.Add($"$.definition: must be a workflow definition object or its JSON text, not {Describe(definitionElement)}.");
                    break;
            }
        }

        if (workflowId is null && definition is null && problems.Count == 0)
        {
            problems.Add("$: give either \"workflowId\" (a definition the orchestrator knows) or \"definition\" (inline).");
        }

        JsonElement? input = root.TryGetProperty("input", out var inputElement) ? inputElement.Clone() : null;

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

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "the string \"" + Shorten(element.GetString()!) + "\"",
        JsonValueKind.Number => "the number " + element.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
