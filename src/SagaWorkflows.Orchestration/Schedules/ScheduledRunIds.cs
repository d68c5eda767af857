using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// The RunId of the run a schedule's fire starts, derived from the schedule id and the fire's scheduled time: a fire
/// repeated (a recovered job, two scheduler nodes, a redelivered start) names the same run, and the saga starts it once.
/// </summary>
public static class ScheduledRunIds
{
    public static Guid For(string scheduleId, DateTimeOffset scheduledFireTime)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);

        // Milliseconds since the epoch, UTC: the same instant reads the same whatever offset it arrives with.
        var name = "sagawf-schedule\u001f" + scheduleId + "\u001f" +
            scheduledFireTime.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];

        // An RFC 9562 version 8 (name-based, custom hash) UUID with the RFC variant, laid out big-endian.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
