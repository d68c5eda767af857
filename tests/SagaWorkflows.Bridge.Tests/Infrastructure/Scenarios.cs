using SagaWorkflows.Contracts;
using T = SagaWorkflows.Contracts.LifecycleEventTypes;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>
/// A run that touches every kind of nesting and the unhappy paths: a retried step, a parallel, a
/// foreach and a loop, then a failing charge that makes the run compensate and fail. Data has the
/// orchestrator's shapes (<c>{ output }</c>, <c>{ error: { type, message } }</c>, retry details).
/// </summary>
public static class Scenarios
{
    public static List<WorkflowLifecycleEvent> FailingOrder(TestRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var events = new List<WorkflowLifecycleEvent>();
        void Add(string type, string? path = null, int? attempt = null, object? data = null, string stepType = "tool") =>
            events.Add(run.Event(events.Count + 1, type, path, attempt, data, stepType));

        Add(T.WorkflowStart, data: new { orderId = "A-1" });
        Add(T.StepStart, "reserve", 1);                                                    // 2
        Add(T.StepRetry, "reserve", 1, new { attempt = 1, nextAttempt = 2, delayMs = 1000, error = new { type = "Transient", message = "inventory busy" } });
        Add(T.StepStart, "reserve", 2);                                                    // 4
        Add(T.StepComplete, "reserve", 2, new { output = new { id = "R-7" } });                             // 5
        Add(T.StepStart, "ship", stepType: "parallel");                                    // 6
        Add(T.StepStart, "ship.makeLabel", 1);                                             // 7
        Add(T.StepStart, "ship.email", 1);                                                 // 8
        Add(T.StepComplete, "ship.makeLabel", 1, new { output = new { label = "L-1" } });                   // 9
        Add(T.StepComplete, "ship.email", 1);                                              // 10
        Add(T.StepComplete, "ship", stepType: "parallel");                                 // 11
        Add(T.StepStart, "poll", stepType: "loop");                                        // 12
        Add(T.StepStart, "poll#1.check", 1);                                               // 13
        Add(T.StepComplete, "poll#1.check", 1, new { output = new { done = false } });                      // 14
        Add(T.StepStart, "poll#2.check", 1);                                               // 15
        Add(T.StepComplete, "poll#2.check", 1, new { output = new { done = true } });                       // 16
        Add(T.StepComplete, "poll", stepType: "loop");                                     // 17
        Add(T.StepStart, "perItem", stepType: "foreach");                                  // 18
        Add(T.StepStart, "perItem[1].charge", 1);                                          // 19
        Add(T.StepStart, "perItem[0].charge", 1);                                          // 20
        Add(T.StepComplete, "perItem[0].charge", 1, new { output = new { charged = 10 } });                 // 21
        Add(T.StepError, "perItem[1].charge", 1, new { error = new { type = "CardDeclined", message = "card declined" } }); // 22
        Add(T.StepError, "perItem", stepType: "foreach");                                  // 23
        Add(T.CompensationStart);                                                          // 24
        Add(T.StepCompensated, "perItem[0].charge", 1);                                    // 25
        Add(T.StepCompensated, "reserve", 2);                                              // 26
        Add(T.CompensationComplete);                                                       // 27
        Add(T.WorkflowError, data: new { error = new { type = "CardDeclined", message = "card declined" }, status = "Compensated" }); // 28
        return events;
    }
}
