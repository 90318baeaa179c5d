using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

public class BudgetCalendarTests
{
    public static TheoryData<string, string, int, string, string> DayCases => new()
    {
        // zone, instant (ISO with offset), expected day key, expected start, expected end (all UTC)
        { "UTC", "2026-11-22T23:59:59Z", 20261122, "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z" },
        { "UTC", "2026-11-23T00:00:00Z", 20261123, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z" },
        // 23:59 local in Tokyo (+09:00) is 14:59 UTC; one minute later the local day changes.
        { "Asia/Tokyo", "2026-11-22T14:59:00Z", 20261122, "2026-11-21T15:00:00Z", "2026-11-22T15:00:00Z" },
        { "Asia/Tokyo", "2026-11-22T15:00:00Z", 20261123, "2026-11-22T15:00:00Z", "2026-11-23T15:00:00Z" },
        // New York, a UTC instant already on the next UTC day is still the previous local day.
        { "America/New_York", "2026-11-23T04:59:59Z", 20261122, "2026-11-22T05:00:00Z", "2026-11-23T05:00:00Z" },
        // Leap day.
        { "UTC", "2028-02-29T12:00:00Z", 20280229, "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z" },
        // Berlin spring forward: a 23-hour day.
        { "Europe/Berlin", "2026-03-29T12:00:00Z", 20260329, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z" },
        // Berlin fall back: a 25-hour day.
        { "Europe/Berlin", "2026-10-25T12:00:00Z", 20261025, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z" },
        // Santiago skips local midnight (00:00 -04 -> 01:00 -03): the day starts at 01:00 local = 04:00 UTC.
        { "America/Santiago", "2026-09-06T12:00:00Z", 20260906, "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z" },
        // Santiago falls back at midnight (00:00 -03 -> 23:00 -04): April 4 has 25 hours, April 5 starts once at 00:00 -04.
        { "America/Santiago", "2026-04-04T12:00:00Z", 20260404, "2026-04-04T03:00:00Z", "2026-04-05T04:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(DayCases))]
    public void Day_window_follows_the_tenant_zone(string zone, string instant, int key, string start, string end)
    {
        var window = BudgetCalendar.Day(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), Zone(zone));
        Assert.Equal(key, window.Key);
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), window.Start);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), window.End);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T12:00:00Z", 23)]
    [InlineData("Europe/Berlin", "2026-10-25T12:00:00Z", 25)]
    [InlineData("Europe/Berlin", "2026-10-26T12:00:00Z", 24)]
    public void Dst_change_days_have_23_or_25_hours(string zone, string instant, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), BudgetCalendar.Day(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), Zone(zone)).Length);
    }

    public static TheoryData<string, string, int, string, string> MonthCases => new()
    {
        { "UTC", "2026-01-31T23:59:59Z", 202601, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
        { "UTC", "2026-02-01T00:00:00Z", 202602, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z" },
        { "UTC", "2028-02-15T00:00:00Z", 202802, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z" },
        { "UTC", "2026-12-31T23:59:59Z", 202612, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        // 31 Oct 23:30 in Berlin (CET, +01:00) is 22:30 UTC: still October locally; November starts at 23:00 UTC.
        { "Europe/Berlin", "2026-10-31T22:30:00Z", 202610, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z" },
        { "Europe/Berlin", "2026-10-31T23:00:00Z", 202611, "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(MonthCases))]
    public void Month_window_follows_the_tenant_zone(string zone, string instant, int key, string start, string end)
    {
        var window = BudgetCalendar.Month(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), Zone(zone));
        Assert.Equal(key, window.Key);
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), window.Start);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), window.End);
    }

    [Theory]
    [InlineData(0, 100, 100)]         // at period end the forecast is what was spent
    [InlineData(12, 10, 20)]          // half a day elapsed: double
    [InlineData(6, 3, 12)]            // a quarter: four times
    [InlineData(0.25, 1, 24)]         // 15 minutes in: elapsed floored at 1 hour, so 1 × 24
    public void Forecast_projects_spend_linearly_to_period_end(double hoursElapsed, int spent, int expected)
    {
        var window = new PeriodWindow(20261122, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var now = hoursElapsed == 0 ? window.End : window.Start.AddHours(hoursElapsed);
        Assert.Equal((decimal)expected, BudgetAccount.Forecast(spent, window, now));
    }

    internal static TimeZoneInfo Zone(string id) => id == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
}
