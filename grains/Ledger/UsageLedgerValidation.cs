using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace OrleansTenancy.Ledger;

/// <summary>Checks and normalizes ledger input so every store keeps exactly the same values.</summary>
public static class UsageLedgerValidation
{
    /// <summary>Decimal places kept for money (1e-9 USD).</summary>
    public const int MoneyScale = 9;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first invalid field; returns the record with money
    /// rounded to <see cref="MoneyScale"/> places and <see cref="UsageRecord.CreatedAt"/> in UTC truncated to microseconds.
    /// </summary>
    public static UsageRecord Normalize(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Require(record.RequestId, nameof(UsageRecord.RequestId), record);
        Require(record.Tenant, nameof(UsageRecord.Tenant), record);
        Require(record.Workspace, nameof(UsageRecord.Workspace), record);
        Require(record.Model, nameof(UsageRecord.Model), record);
        Require(record.Status, nameof(UsageRecord.Status), record);
        NotNegative(record.TokensIn, nameof(UsageRecord.TokensIn), record);
        NotNegative(record.TokensOut, nameof(UsageRecord.TokensOut), record);
        NotNegative(record.LatencyMs, nameof(UsageRecord.LatencyMs), record);
        NotNegative(record.CostUsd, nameof(UsageRecord.CostUsd), record);
        NotNegative(record.EstimatedCostUsd, nameof(UsageRecord.EstimatedCostUsd), record);
        var utc = record.CreatedAt.ToUniversalTime();
        return record with
        {
            CostUsd = Math.Round(record.CostUsd, MoneyScale, MidpointRounding.ToEven),
            EstimatedCostUsd = Math.Round(record.EstimatedCostUsd, MoneyScale, MidpointRounding.ToEven),
            CreatedAt = new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero),
        };
    }

    /// <summary>Unix microseconds of an instant; the stores' time unit.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset instant) =>
        (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The instant of unix microseconds <paramref name="micros"/>.</summary>
    public static DateTimeOffset FromUnixMicroseconds(long micros) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    internal static int ClampPageSize(int pageSize) => pageSize < 1
        ? throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be between 1 and {IUsageLedger.MaxPageSize}.")
        : Math.Min(pageSize, IUsageLedger.MaxPageSize);

    internal static string EncodeCursor(UsageRecord last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            ToUnixMicroseconds(last.CreatedAt).ToString(CultureInfo.InvariantCulture) + "|" + last.RequestId));

    internal static (long CreatedMicros, string RequestId) DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var separator = text.IndexOf('|', StringComparison.Ordinal);
            if (separator > 0 && long.TryParse(text.AsSpan(0, separator), NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
            {
                return (micros, text[(separator + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException($"The cursor '{cursor}' is not one this ledger issued; pass the NextCursor of the previous page, or none for the first page.", nameof(cursor));
    }

    internal static void RequireTenant(string tenant) =>
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);

    internal static void RequireRange(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        if (toUtc < fromUtc)
        {
            throw new ArgumentOutOfRangeException(nameof(toUtc), toUtc, $"The range must end on or after its start {fromUtc:O}.");
        }
    }

    private static void Require(string? value, string field, UsageRecord record)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"Usage record '{record.RequestId}': {field} is required.", nameof(record));
        }
    }

    private static void NotNegative(long value, string field, UsageRecord record)
    {
        if (value < 0)
        {
            throw new ArgumentException($"Usage record '{record.RequestId}': {field} is {value}; it must not be negative.", nameof(record));
        }
    }

    private static void NotNegative(decimal value, string field, UsageRecord record)
    {
        if (value < 0)
        {
            throw new ArgumentException($"Usage record '{record.RequestId}': {field} is {value}; it must not be negative.", nameof(record));
        }
    }
}
