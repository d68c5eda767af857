using System.Diagnostics;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using SagaWorkflows.Testing.Fuzz;
using Xunit.Abstractions;

namespace SagaWorkflows.Core.Tests.Fuzz;

/// <summary>
/// Generated malformed and hostile definitions and expressions through the parser (what <c>sagawf validate</c>
/// and the orchestrator both run) and the engine: each is refused with errors that say where, or it runs and
/// fails or completes cleanly. Nothing throws, nothing hangs. Bounded: a few seconds.
/// </summary>
public sealed class DefinitionFuzzTests(ITestOutputHelper output)
{
    private const int Definitions = 400;
    // Wall-clock bounds catch runaway inputs (an input that takes minutes), not slowness: on a loaded 2-core CI
    // box an input that takes 0.5 s alone can take ten times that. Each run's real bound is structural: it must be
    // finished within the driver's step budget, with at most the transition budget of events per transition.
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HeavySlow = TimeSpan.FromSeconds(120);

    [Fact]
    public void Generated_definitions_are_refused_with_located_errors_or_run_cleanly()
    {
        var inputs = new HostileInputs(seed: 15);
        int refused = 0, ran = 0, crashes = 0, hangs = 0;
        var failures = new List<string>();
        for (var i = 0; i < Definitions; i++)
        {
            var json = inputs.Definition();
            var watch = Stopwatch.StartNew();
            try
            {
                var parsed = WorkflowDefinitionParser.Parse(json);
                if (!parsed.IsValid)
                {
                    Assert.NotEmpty(parsed.Errors);
                    Assert.All(parsed.Errors, e =>
                    {
                        Assert.StartsWith("$", e.Path, StringComparison.Ordinal);
                        Assert.False(string.IsNullOrWhiteSpace(e.Message));
                        Assert.True(e.ToString().Length < 2000, "an error message echoes a hostile value: " + e.ToString()[..Math.Min(200, e.ToString().Length)]);
                    });
                    refused++;
                }
                else
                {
                    // Valid means the runtime can use it: starting it (expressions and all) ends or waits, never throws.
                    var result = WorkflowEngine.Start(parsed.Definition!, Guid.NewGuid(), JsonNode.Parse("""{ "n": 1 }"""), DateTimeOffset.UtcNow, new Random(1));
                    Assert.NotEmpty(result.Effects);
                    ran++;
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                crashes++;
                failures.Add($"#{i}: {ex.GetType().Name}: {ex.Message[..Math.Min(200, ex.Message.Length)]} — {json[..Math.Min(300, json.Length)]}");
            }

            if (watch.Elapsed > Slow)
            {
                hangs++;
                failures.Add($"#{i}: took {watch.Elapsed} — {json[..Math.Min(300, json.Length)]}");
            }
        }

        output.WriteLine($"definition fuzz: {Definitions} inputs tried, {refused} refused with located errors, {ran} valid and started, {crashes} crashes, {hangs} hangs");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused > Definitions / 4 && ran > 10, $"the generator should produce both kinds ({refused} refused, {ran} ran)");
    }

    [Fact]
    public void Heavy_runs_stay_within_each_transition_budget_and_end_or_fail_naming_the_limit_they_broke()
    {
        const int HeavyRuns = 40;
        var inputs = new HostileInputs(seed: 151);
        var budget = WorkflowLimits.Default.MaxEventsPerTransition;
        int completed = 0, failedClearly = 0, crashes = 0, hangs = 0, transitions = 0, events = 0;
        var failures = new List<string>();
        for (var i = 0; i < HeavyRuns; i++)
        {
            var json = inputs.HeavyDefinition();
            var watch = Stopwatch.StartNew();
            try
            {
                var run = RunDriver.Start(json, inputs.HeavyInput());
                var answered = new HashSet<Guid>();
                for (var step = 0; step < 1000 && !run.State.IsFinished; step++)
                {
                    if (run.State.Continuing)
                    {
                        run.Advance(TimeSpan.Zero);
                    }
                    else if (run.ToolCommands.FirstOrDefault(c => answered.Add(c.ExecutionId)) is { } command)
                    {
                        run.HandlePersisted(new StepSucceeded(command.ExecutionId, command.Attempt, JsonValue.Create(inputs.LargeText())));
                    }
                    else if (WorkflowEngine.ActiveNodes(run.Workflow, run.State).OfType<WaitState>().Any())
                    {
                        run.HandlePersisted(new SignalReceived("go", JsonValue.Create(inputs.LargeText())));
                    }
                    else
                    {
                        break;
                    }
                }

                transitions += run.EventsPerTransition.Count;
                events += run.Events.Count;
                Assert.True(run.State.IsFinished, $"the run rests unfinished in {run.State.Status}");
                Assert.All(run.EventsPerTransition, n => Assert.InRange(n, 0, budget + 16));
                Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(n => (long)n), run.Events.Select(e => e.Sequence));
                if (run.State.Status == RunStatus.Completed)
                {
                    completed++;
                }
                else
                {
                    var error = run.State.Error!;
                    Assert.False(string.IsNullOrWhiteSpace(error.Message));
                    Assert.False(string.IsNullOrWhiteSpace(error.Path), $"{error.Type}: {error.Message} names no path");
                    Assert.True(error.Message.Length < 2000, "the error echoes a huge value");
                    failedClearly++;
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                crashes++;
                failures.Add($"#{i}: {ex.GetType().Name}: {ex.Message[..Math.Min(200, ex.Message.Length)]} — {json[..Math.Min(300, json.Length)]}");
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                failures.Add($"#{i}: {ex.Message[..Math.Min(400, ex.Message.Length)]} — {json[..Math.Min(400, json.Length)]}");
            }

            if (watch.Elapsed > HeavySlow)
            {
                hangs++;
                failures.Add($"#{i}: took {watch.Elapsed} — {json[..Math.Min(300, json.Length)]}");
            }
        }

        output.WriteLine($"heavy run fuzz: {HeavyRuns} inputs tried, {completed} completed, {failedClearly} failed naming a limit and a path, " +
                         $"{events} events in {transitions} transitions (at most {budget} + the ends of open steps each), {crashes} crashes, {hangs} hangs");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(completed > 0 && failedClearly > 0, $"the generator should produce both outcomes ({completed} completed, {failedClearly} failed)");
    }

    [Fact]
    public void Every_hostile_expression_evaluates_or_fails_with_an_expression_error_within_its_time_limit()
    {
        var scope = new EvaluationScope { Input = JsonNode.Parse("""{ "n": 1 }""") };
        var failures = new List<string>();
        int values = 0, errors = 0;
        foreach (var expression in HostileInputs.Expressions)
        {
            var evaluator = new ExpressionEvaluator();
            var watch = Stopwatch.StartNew();
            foreach (var use in new Action[] { () => evaluator.Evaluate(expression, scope), () => evaluator.IsTrue(expression, scope), () => evaluator.RenderText("x ${ " + expression + " }", scope) })
            {
                try
                {
                    use();
                    values++;
                }
                catch (ExpressionException ex)
                {
                    Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
                    errors++;
                }
                catch (Exception ex)
                {
                    failures.Add($"{expression[..Math.Min(80, expression.Length)]}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(3 * 3))
            {
                failures.Add($"{expression[..Math.Min(80, expression.Length)]}: took {watch.Elapsed}");
            }
        }

        output.WriteLine($"expression fuzz: {HostileInputs.Expressions.Count * 3} evaluations, {values} values, {errors} expression errors, {failures.Count} escaped or slow");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
