namespace OrleansTenancy.Ledger;

/// <summary>The kinds of <see cref="UsagePeriod"/>.</summary>
public enum UsagePeriodKind
{
    /// <summary>The current local day.</summary>
    Today,

    /// <summary>The previous local day.</summary>
    Yesterday,

    /// <summary>The current ISO week in local time, from Monday to today (later days have no usage yet).</summary>
    ThisWeek,

    /// <summary>The current local calendar month, from its first day to today (later days have no usage yet).</summary>
    ThisMonth,

    /// <summary>An explicit range of local dates, both ends included.</summary>
    Range,
}

/// <summary>A reporting period in the tenant's calendar; resolve it with <see cref="Resolve"/>.</summary>
public sealed record UsagePeriod
{
    private UsagePeriod(UsagePeriodKind kind, DateOnly? from, DateOnly? to)
    {
        Kind = kind;
        From = from;
        To = to;
    }

    /// <summary>The current local day.</summary>
    public static UsagePeriod Today { get; } = new(UsagePeriodKind.Today, null, null);

    /// <summary>The previous local day.</summary>
    public static UsagePeriod Yesterday { get; } = new(UsagePeriodKind.Yesterday, null, null);

    /// <summary>The current ISO week, Monday first, up to today.</summary>
    public static UsagePeriod ThisWeek { get; } = new(UsagePeriodKind.ThisWeek, null, null);

    /// <summary>The current calendar month up to today.</summary>
    public static UsagePeriod ThisMonth { get; } = new(UsagePeriodKind.ThisMonth, null, null);

    /// <summary>The kind of period.</summary>
    public UsagePeriodKind Kind { get; }

    /// <summary>The first local date of a <see cref="UsagePeriodKind.Range"/>.</summary>
    public DateOnly? From { get; }

    /// <summary>The last local date (included) of a <see cref="UsagePeriodKind.Range"/>.</summary>
    public DateOnly? To { get; }

    /// <summary>
    /// The longest range a report covers: 366 days, a leap year. A report holds one row per day, and a longer range
    /// would let one request read (and hold in memory) a tenant's whole history.
    /// </summary>
    public const int MaxRangeDays = 366;

    /// <summary>The earliest date a range may start on.</summary>
    public static readonly DateOnly EarliestDate = new(1970, 1, 1);

    /// <summary>The latest date a range may end on (the day after it must still be a date in every time zone).</summary>
    public static readonly DateOnly LatestDate = new(9998, 12, 31);

    /// <summary>The local dates <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is reversed, longer than <see cref="MaxRangeDays"/> or outside <see cref="EarliestDate"/>..<see cref="LatestDate"/>.</exception>
    public static UsagePeriod Range(DateOnly from, DateOnly to) =>
        TryRange(from, to, out var period, out var problem) ? period : throw new ArgumentOutOfRangeException(nameof(to), to, problem);

    /// <summary>The range <paramref name="from"/> to <paramref name="to"/>, or a sentence saying which rule it breaks.</summary>
    public static bool TryRange(DateOnly from, DateOnly to, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UsagePeriod? period, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        period = null;
        problem = null;
        if (from < EarliestDate || to > LatestDate)
        {
            problem = $"Usage ranges lie between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}; got {from:yyyy-MM-dd} to {to:yyyy-MM-dd}.";
        }
        else if (to < from)
        {
            problem = $"A usage range must end on or after its start: from {from:yyyy-MM-dd} is after to {to:yyyy-MM-dd}.";
        }
        else if (to.DayNumber - from.DayNumber + 1 > MaxRangeDays)
        {
            problem = $"A usage range covers at most {MaxRangeDays} days; {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is {to.DayNumber - from.DayNumber + 1}. Ask for it in parts.";
        }
        else
        {
            period = new UsagePeriod(UsagePeriodKind.Range, from, to);
        }

        return period is not null;
    }

    /// <summary>
    /// The local dates and UTC instants this period covers for a tenant in <paramref name="timeZone"/>
    /// at the instant <paramref name="now"/>.
    /// </summary>
    public UsageWindow Resolve(TimeZoneInfo timeZone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, timeZone).DateTime);
        var (first, last) = Kind switch
        {
            UsagePeriodKind.Today => (today, today),
            UsagePeriodKind.Yesterday => (today.AddDays(-1), today.AddDays(-1)),
            UsagePeriodKind.ThisWeek => (MondayOf(today), today),
            UsagePeriodKind.ThisMonth => (new DateOnly(today.Year, today.Month, 1), today),
            UsagePeriodKind.Range => (From!.Value, To!.Value),
            _ => throw new InvalidOperationException($"Unknown usage period kind {Kind}."),
        };
        return new UsageWindow(Kind, timeZone.Id, first, last,
            LocalCalendar.StartOfDayUtc(first, timeZone), LocalCalendar.StartOfDayUtc(last.AddDays(1), timeZone));
    }

    private static DateOnly MondayOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
}

/// <summary>A resolved period: local dates (both included) and the UTC instants that bound them.</summary>
/// <param name="Kind">The kind of period it came from.</param>
/// <param name="TimeZone">The time zone id the dates are in.</param>
/// <param name="FirstDate">The first local date.</param>
/// <param name="LastDate">The last local date (included).</param>
/// <param name="FromUtc">The start of <paramref name="FirstDate"/> (inclusive).</param>
/// <param name="ToUtc">The start of the day after <paramref name="LastDate"/> (exclusive).</param>
public sealed record UsageWindow(
    UsagePeriodKind Kind,
    string TimeZone,
    DateOnly FirstDate,
    DateOnly LastDate,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc);
