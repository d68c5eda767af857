using SagaWorkflows.Definitions;

namespace Shop.Publisher;

/// <summary>The shop's order workflow, written in C#: the same document as <c>order.json</c>, checked by the compiler.</summary>
public static class ShopOrder
{
    // README: definition
    public static Workflow Definition { get; } = Workflow.Define("shop-order")
        .Version(1)
        .InputSchema(new { type = "object", required = new[] { "orderId", "sku", "qty", "card", "amount" } })
        .Steps(
            Step.Tool("reserve", "inventory.reserve")
                .Input(new { sku = "${ input.sku }", qty = "${ input.qty }" })
                .Compensate("inventory.release", new { reservationId = "${ steps.reserve.reservationId }" }),
            Step.Tool("charge", "payments.charge")
                .Input(new { orderId = "${ input.orderId }", card = "${ input.card }", amount = "${ input.amount }" })
                .Retry(new RetryPolicy { MaxAttempts = 3, InitialInterval = TimeSpan.FromSeconds(0.5), NonRetryable = ["CardDeclined"] }))
        .Output(new { reservationId = "${ steps.reserve.reservationId }", charged = "${ steps.charge.charged }" });
    // README: end
}
