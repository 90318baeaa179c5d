namespace OrleansTenancy.Ledger;

/// <summary>Local calendar days as UTC instants, correct across daylight-saving changes.</summary>
public static class LocalCalendar
{
    /// <summary>
    /// The UTC instant at which <paramref name="date"/> begins in <paramref name="timeZone"/>. When local
    /// midnight is skipped by a clock change (some zones move clocks at 00:00), the day begins at the
    /// transition; when midnight occurs twice, the day begins at the first one.
    /// </summary>
    public static DateTimeOffset StartOfDayUtc(DateOnly date, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (timeZone.IsInvalidTime(midnight))
        {
            // Skipped midnight: the offset in force just before the jump places the jump instant exactly.
            // Clock changes are never closer than a few hours apart, so three hours earlier is before it.
            offset = timeZone.GetUtcOffset(midnight.AddHours(-3));
        }
        else if (timeZone.IsAmbiguousTime(midnight))
        {
            offset = timeZone.GetAmbiguousTimeOffsets(midnight).Max();
        }
        else
        {
            offset = timeZone.GetUtcOffset(midnight);
        }

        return new DateTimeOffset(midnight.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>Every local day from <paramref name="first"/> to <paramref name="last"/> (included) with its UTC bounds.</summary>
    public static IReadOnlyList<(DateOnly Date, DateTimeOffset FromUtc, DateTimeOffset ToUtc)> Days(DateOnly first, DateOnly last, TimeZoneInfo timeZone)
    {
        var days = new List<(DateOnly, DateTimeOffset, DateTimeOffset)>(last.DayNumber - first.DayNumber + 1);
        var start = StartOfDayUtc(first, timeZone);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            var end = StartOfDayUtc(date.AddDays(1), timeZone);
            days.Add((date, start, end));
            start = end;
        }

        return days;
    }
}
