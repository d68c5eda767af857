using SagaWorkflows.Definitions;

namespace SagaWorkflows.Core.Tests.Builder;

/// <summary>Every sample of <c>samples/</c>, written with the C# builder.</summary>
internal static class SampleWorkflows
{
    private const string Schema = "../schemas/workflow.schema.json";

    public static readonly IReadOnlyDictionary<string, Func<Workflow>> All = new Dictionary<string, Func<Workflow>>
    {
        ["approval.json"] = Approval,
        ["child-runs.json"] = ChildRuns,
        ["compensation.json"] = Compensation,
        ["control-flow.json"] = ControlFlow,
        ["hello.json"] = Hello,
        ["order-fulfillment.json"] = OrderFulfillment,
        ["redrive.json"] = Redrive,
    };

    // The samples' JSON Schemas: constants, so static fields rather than arrays built on every call.
    private static readonly object HelloInput = new { type = "object", required = new[] { "name" }, properties = new { name = new { type = "string" } } };

    private static readonly object ApprovalInput = new
    {
        type = "object",
        required = new[] { "orderId", "amount" },
        properties = new { orderId = new { type = "string" }, amount = new { type = "number" } },
    };

    private static readonly object ApprovalPayload = new
    {
        type = "object",
        required = new[] { "approved", "by" },
        properties = new { approved = new { type = "boolean" }, by = new { type = "string" }, comment = new { type = "string" } },
    };

    private static readonly object OrderInput = new
    {
        type = "object",
        required = new[] { "orderId", "email", "items", "total" },
        properties = new
        {
            orderId = new { type = "string" },
            email = new { type = "string" },
            total = new { type = "number" },
            items = new
            {
                type = "array",
                items = new
                {
                    type = "object",
                    required = new[] { "sku", "qty", "price" },
                    properties = new { sku = new { type = "string" }, qty = new { type = "integer" }, price = new { type = "number" } },
                },
            },
        },
    };

    private static readonly object RedriveInput = new { type = "object", required = new[] { "orderId" }, properties = new { orderId = new { type = "string" } } };

    private static readonly object SummaryOutput = new { type = "object", required = new[] { "text" }, properties = new { text = new { type = "string" } } };

    public static Workflow Hello() => Workflow.Define("hello")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Three sequential steps passing data along: each step reads the workflow input or an earlier step's output through ${ } expressions.")
        .InputSchema(HelloInput)
        .Steps(
            Step.Tool("greet", "echo").Input(new { name = "${ input.name }", greeting = "Hello, ${ input.name }!" }),
            Step.Tool("pause", "delay").Input(new { ms = 200, greeting = "${ steps.greet.greeting }" }),
            Step.Tool("shout", "echo").Input(new
            {
                message = "${ steps.pause.greeting.toUpperCase() }",
                waitedMs = "${ steps.pause.ms }",
                letters = "${ steps.greet.name.length }",
            }))
        .Output(new { message = "${ steps.shout.message }", waitedMs = "${ steps.shout.waitedMs }" });

    public static Workflow Approval() => Workflow.Define("approval")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Waits for an 'approval' signal (its payload validated by a schema), then branches on it. Send it with: sagawf signal <runId> approval --payload '{ \"approved\": true, \"by\": \"ada\" }'")
        .InputSchema(ApprovalInput)
        .Steps(
            Step.Tool("request", "echo").Input(new
            {
                orderId = "${ input.orderId }",
                amount = "${ input.amount }",
                message = "Please approve order ${ input.orderId } (${ input.amount })",
            }),
            Step.Wait("approve", "approval")
                .Timeout(TimeSpan.FromDays(1))
                .Schema(ApprovalPayload),
            Step.Branch("decide")
                .Case("steps.approve.approved",
                    Step.Tool("fulfil", "echo").Input(new { status = "approved", by = "${ steps.approve.by }", orderId = "${ input.orderId }" }))
                .Default(
                    Step.Tool("decline", "echo").Input(new { status = "declined", by = "${ steps.approve.by }", orderId = "${ input.orderId }" })))
        .Output("${ steps.decide }");

    public static Workflow Compensation() => Workflow.Define("compensation")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Two steps with compensations succeed, then shipping fails (retried once, then given up): the run undoes 'charge' and then 'reserve', in reverse order of completion, and ends with workflow-error.")
        .Steps(
            Step.Tool("reserve", "echo")
                .Input(new { reservationId = "R-${ input.orderId }" })
                .Compensate("echo", new { release = "${ steps.reserve.reservationId }" }),
            Step.Tool("charge", "echo")
                .Input(new { paymentId = "P-${ input.orderId }", amount = "${ input.amount }" })
                .Compensate("echo", new { refund = "${ steps.charge.paymentId }", amount = "${ steps.charge.amount }" }),
            Step.Tool("ship", "fail")
                .Input(new { errorType = "CarrierDown", message = "the carrier rejected shipment of ${ input.orderId }" })
                .Retry(new RetryPolicy { MaxAttempts = 2, InitialInterval = TimeSpan.FromMilliseconds(200) }));

    public static Workflow Redrive() => Workflow.Define("redrive")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Books a parcel with a carrier through the demo tool 'downstream'. While the carrier has an outage (sagawf demo starts one), 'book' fails after its retry and the run ends with workflow-error: no step has a compensation, so it fails without compensating and can be redriven. Once the outage is over, a redrive (sagawf redrive <runId>) continues the run from 'book': 'pack' keeps its output and is not run again.")
        .InputSchema(RedriveInput)
        .Steps(
            Step.Tool("pack", "echo").Input(new { orderId = "${ input.orderId }", parcel = "P-${ input.orderId }" }),
            Step.Tool("book", "downstream")
                .Input(new { service = "carrier", parcel = "${ steps.pack.parcel }" })
                .Retry(new RetryPolicy { MaxAttempts = 2, InitialInterval = TimeSpan.FromMilliseconds(200) }),
            Step.Tool("notify", "echo").Input(new
            {
                message = "Parcel ${ steps.book.parcel } of order ${ input.orderId } is booked with the ${ steps.book.service }",
            }))
        .Output(new { message = "${ steps.notify.message }" });

    public static Workflow ChildRuns() => Workflow.Define("child-runs")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Opens an order, then packs each item in a child run of its own (an inline 'pack-item' workflow). The third item is damaged: its child fails (undoing its own reservation), which fails the parent, which then undoes the completed children's reservations and the order, in reverse order of completion, across the children.")
        .Steps(
            Step.Tool("open", "echo")
                .Input(new { order = "${ input.orderId }" })
                .Compensate("echo", new { close = "${ steps.open.order }" }),
            Step.Foreach("perItem", "input.items",
                Step.Workflow("pack", Workflow.Define("pack-item")
                        .Steps(
                            Step.Tool("reserve", "echo")
                                .Input(new { sku = "${ input.sku }" })
                                .Compensate("echo", new { release = "${ steps.reserve.sku }" }),
                            Step.Branch("inspect")
                                .Case("input.damaged == true",
                                    Step.Tool("refuse", "fail")
                                        .Input(new { errorType = "Damaged", message = "item ${ input.sku } is damaged" })
                                        .Retry(new RetryPolicy { MaxAttempts = 1 }))
                                .Default())
                        .Output(new { packed = "${ steps.reserve.sku }" }))
                    .Input("${ item }")));

    public static Workflow ControlFlow() => Workflow.Define("control-flow")
        .SchemaReference(Schema)
        .Version(1)
        .Description("Every control-flow node on the echo and delay demo tools: parallel branches, a foreach with bounded concurrency, a do-until loop, a branch and a durable sleep.")
        .Steps(
            Step.Parallel("fanOut")
                .Branch("fast", Step.Tool("quick", "echo").Input(new { branch = "fast" }))
                .Branch("slow",
                    Step.Tool("slowDelay", "delay").Input(new { ms = 300, branch = "slow" }),
                    Step.Tool("slowEcho", "echo")),
            Step.Foreach("each", "input.numbers",
                    Step.Tool("wait", "delay").Input(new { ms = "${ 100 * (index + 1) }", n = "${ item }" }),
                    Step.Tool("square", "echo").Input(new { n = "${ item }", square = "${ item * item }" }))
                .Concurrency(2),
            Step.Loop("countdown",
                    Step.Tool("tick", "echo").Input(new { iteration = "${ iteration }", remaining = "${ 3 - iteration }" }))
                .Until("steps.tick.remaining === 0")
                .MaxIterations(10),
            Step.Branch("size")
                .Case("steps.each.length > 3", Step.Tool("many", "echo").Input(new { size = "many" }))
                .Case("steps.each.length > 0", Step.Tool("few", "echo").Input(new { size = "few" }))
                .Default(Step.Tool("none", "echo").Input(new { size = "none" })),
            Step.Sleep("nap", TimeSpan.FromMilliseconds(500)))
        .Output(new
        {
            parallel = "${ steps.fanOut }",
            squares = "${ steps.each.map(r => r.square) }",
            loopIterations = "${ steps.countdown.iteration }",
            size = "${ steps.size.size }",
        });

    public static Workflow OrderFulfillment() => Workflow.Define("order-fulfillment")
        .SchemaReference(Schema)
        .Version(1)
        .Description("The product brief's order example on the sample worker's demo tools: a flaky reservation that succeeds on its third attempt (and has a compensation), an AI summary, parallel shipping, a charge per item, a polling loop and a branch that waits for approval on large orders.")
        .InputSchema(OrderInput)
        .Steps(
            Step.Tool("reserve", "flaky")
                .Input(new { failTimes = 2, errorType = "Transient", orderId = "${ input.orderId }" })
                .Retry(new RetryPolicy
                {
                    MaxAttempts = 5,
                    InitialInterval = TimeSpan.FromMilliseconds(200),
                    BackoffRate = 2.0,
                    MaxInterval = TimeSpan.FromSeconds(2),
                    Jitter = Jitter.Full,
                    NonRetryable = ["OutOfStock"],
                })
                .Timeout(TimeSpan.FromSeconds(30))
                .Compensate("echo", new { released = "${ input.orderId }", reservedOnAttempt = "${ steps.reserve.attempt }" }),
            Step.Ai("summary", "default", "Write a one-line summary of order ${ input.orderId }: ${ input.items.length } item(s), total ${ input.total }.")
                .System("You write terse order summaries.")
                .OutputSchema(SummaryOutput)
                .Retry(new RetryPolicy { MaxAttempts = 2 })
                .Stream(),
            Step.Parallel("ship")
                .Branch("label", Step.Tool("makeLabel", "echo").Input(new { label = "LBL-${ input.orderId }" }))
                .Branch("notify", Step.Tool("email", "delay").Input(new { ms = 200, to = "${ input.email }" })),
            Step.Foreach("perItem", "input.items",
                    Step.Tool("charge", "echo").Input(new { sku = "${ item.sku }", amount = "${ item.qty * item.price }", line = "${ index + 1 }" }))
                .Concurrency(4),
            Step.Loop("poll", Step.Tool("check", "echo").Input(new { iteration = "${ iteration }", done = "${ iteration >= 3 }" }))
                .Until("steps.check.done")
                .MaxIterations(20),
            Step.Branch("route")
                .Case("input.total > 1000", Step.Wait("review", "approval").Timeout(TimeSpan.FromDays(1)))
                .Default(Step.Tool("autoApprove", "echo").Input(new { approved = true, by = "policy" })))
        .Output(new
        {
            orderId = "${ input.orderId }",
            summary = "${ steps.summary.text }",
            label = "${ steps.ship.label.label }",
            charged = "${ steps.perItem.map(c => c.amount) }",
            pollIterations = "${ steps.poll.iteration }",
            approval = "${ steps.route }",
        });
}
