using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Shop.Worker;

/// <summary>The shop's stock, in memory: what a real worker would keep in its own database.</summary>
public sealed class Inventory(ILogger<Inventory> logger)
{
    private readonly ConcurrentDictionary<string, int> _stock = new(StringComparer.Ordinal) { ["book"] = 10, ["lamp"] = 0 };
    private readonly ConcurrentDictionary<Guid, (string Sku, int Qty)> _reservations = new();

    /// <summary>Idempotent per <paramref name="reservationId"/>: a redelivered attempt reserves nothing twice.</summary>
    public Task<bool> ReserveAsync(Guid reservationId, string sku, int qty, CancellationToken cancellationToken)
    {
        if (_reservations.ContainsKey(reservationId))
        {
            return Task.FromResult(true);
        }

        lock (_stock)
        {
            if (_stock.GetValueOrDefault(sku) < qty)
            {
                return Task.FromResult(false);
            }

            _stock[sku] -= qty;
            _reservations[reservationId] = (sku, qty);
        }

        logger.LogInformation("reserved {Qty} x {Sku} as {ReservationId}", qty, sku, reservationId);
        return Task.FromResult(true);
    }

    /// <summary>How many of <paramref name="sku"/> are in stock and not reserved.</summary>
    public int InStock(string sku)
    {
        lock (_stock)
        {
            return _stock.GetValueOrDefault(sku);
        }
    }

    /// <summary>Idempotent: releasing an unknown or already released reservation does nothing.</summary>
    public Task ReleaseAsync(Guid reservationId, CancellationToken cancellationToken)
    {
        if (_reservations.TryRemove(reservationId, out var reservation))
        {
            lock (_stock)
            {
                _stock[reservation.Sku] += reservation.Qty;
            }

            logger.LogInformation("released {ReservationId}: {Qty} x {Sku} back in stock", reservationId, reservation.Qty, reservation.Sku);
        }

        return Task.CompletedTask;
    }
}
