namespace OrleansTenancy.Tenancy.Budget;

/// <summary>One calendar period in a tenant's time zone, as UTC instants.</summary>
/// <param name="Key">The period key: <c>yyyyMMdd</c> for a day, <c>yyyyMM</c> for a month.</param>
/// <param name="Start">The first instant of the period.</param>
/// <param name="End">The first instant of the next period (when the period resets).</param>
public readonly record struct PeriodWindow(int Key, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The period's length; 23 or 25 hours on DST change days.</summary>
    public TimeSpan Length => End - Start;
}

/// <summary>
/// Calendar days and months in a tenant's time zone. Pure: every answer depends only on the instant and the zone.
/// </summary>
/// <remarks>
/// A period starts at the first instant whose local date is in it. Where DST skips local midnight (some zones change
/// at 00:00) the day starts at the first valid local time after the gap; where midnight occurs twice the day starts at
/// the earlier occurrence. Keys are integers so hot-path comparisons allocate nothing.
/// </remarks>
public static class BudgetCalendar
{
    /// <summary>The tenant-local date of <paramref name="instant"/>.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The local calendar date.</returns>
    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime);
    }

    /// <summary>The day key <c>yyyyMMdd</c> of a local date.</summary>
    /// <param name="date">The local date.</param>
    /// <returns>The key.</returns>
    public static int DayKey(DateOnly date) => (date.Year * 10_000) + (date.Month * 100) + date.Day;

    /// <summary>The month key <c>yyyyMM</c> of a local date.</summary>
    /// <param name="date">The local date.</param>
    /// <returns>The key.</returns>
    public static int MonthKey(DateOnly date) => (date.Year * 100) + date.Month;

    /// <summary>The key of the period containing <paramref name="instant"/>.</summary>
    /// <param name="period">Day or month.</param>
    /// <param name="instant">The instant.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The key.</returns>
    public static int KeyOf(BudgetPeriod period, DateTimeOffset instant, TimeZoneInfo timeZone)
    {
        var date = LocalDate(instant, timeZone);
        return period == BudgetPeriod.Month ? MonthKey(date) : DayKey(date);
    }

    /// <summary>The local day containing <paramref name="instant"/>.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The day's window.</returns>
    public static PeriodWindow Day(DateTimeOffset instant, TimeZoneInfo timeZone)
    {
        var date = LocalDate(instant, timeZone);
        return new PeriodWindow(DayKey(date), StartOfLocalDay(date, timeZone), StartOfLocalDay(date.AddDays(1), timeZone));
    }

    /// <summary>The local month containing <paramref name="instant"/>.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The month's window.</returns>
    public static PeriodWindow Month(DateTimeOffset instant, TimeZoneInfo timeZone)
    {
        var date = LocalDate(instant, timeZone);
        var first = new DateOnly(date.Year, date.Month, 1);
        return new PeriodWindow(MonthKey(date), StartOfLocalDay(first, timeZone), StartOfLocalDay(first.AddMonths(1), timeZone));
    }

    /// <summary>The window of <paramref name="period"/> containing <paramref name="instant"/>.</summary>
    /// <param name="period">Day or month.</param>
    /// <param name="instant">The instant.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The window.</returns>
    public static PeriodWindow Window(BudgetPeriod period, DateTimeOffset instant, TimeZoneInfo timeZone) =>
        period == BudgetPeriod.Month ? Month(instant, timeZone) : Day(instant, timeZone);

    /// <summary>The first instant of a local date.</summary>
    /// <param name="date">The local date.</param>
    /// <param name="timeZone">The tenant's time zone.</param>
    /// <returns>The instant, with offset zero.</returns>
    public static DateTimeOffset StartOfLocalDay(DateOnly date, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        if (timeZone.IsInvalidTime(local))
        {
            // Midnight fell into a DST gap: the day begins where the gap ends. Gaps are whole minutes and at most a few hours.
            while (timeZone.IsInvalidTime(local))
            {
                local = local.AddMinutes(1);
            }
        }

        TimeSpan offset;
        if (timeZone.IsAmbiguousTime(local))
        {
            // Midnight happens twice: the larger offset is the earlier instant.
            var offsets = timeZone.GetAmbiguousTimeOffsets(local);
            offset = offsets.Max();
        }
        else
        {
            offset = timeZone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
