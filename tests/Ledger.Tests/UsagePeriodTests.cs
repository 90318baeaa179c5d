namespace OrleansTenancy.Ledger.Tests;

public sealed class UsagePeriodTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void Today_is_the_local_day_not_the_utc_day()
    {
        // 03:30 UTC on 10 March is still 9 March in New York (UTC-4 after the spring change).
        var window = UsagePeriod.Today.Resolve(NewYork, new DateTimeOffset(2026, 3, 10, 3, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 3, 9), window.FirstDate);
        Assert.Equal(new DateOnly(2026, 3, 9), window.LastDate);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 4, 0, 0, TimeSpan.Zero), window.FromUtc);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 4, 0, 0, TimeSpan.Zero), window.ToUtc);
    }

    [Fact]
    public void Yesterday_spanning_the_spring_change_is_23_hours()
    {
        var window = UsagePeriod.Yesterday.Resolve(NewYork, new DateTimeOffset(2026, 3, 9, 15, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 3, 8), window.FirstDate);
        Assert.Equal(TimeSpan.FromHours(23), window.ToUtc - window.FromUtc);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), window.FromUtc);
    }

    [Fact]
    public void This_week_starts_on_monday_even_on_a_sunday()
    {
        var sunday = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var window = UsagePeriod.ThisWeek.Resolve(TimeZoneInfo.Utc, sunday);

        Assert.Equal(new DateOnly(2026, 11, 16), window.FirstDate);
        Assert.Equal(DayOfWeek.Monday, window.FirstDate.DayOfWeek);
        Assert.Equal(new DateOnly(2026, 11, 22), window.LastDate);
    }

    [Fact]
    public void This_week_and_this_month_end_today_with_no_future_days()
    {
        // Wednesday 18 November, 20:00 in New York (01:00 UTC on the 19th).
        var now = new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

        var week = UsagePeriod.ThisWeek.Resolve(NewYork, now);
        var month = UsagePeriod.ThisMonth.Resolve(NewYork, now);

        Assert.Equal((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 18)), (week.FirstDate, week.LastDate));
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 18)), (month.FirstDate, month.LastDate));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 5, 0, 0, TimeSpan.Zero), month.ToUtc);
    }

    [Fact]
    public void This_month_across_the_autumn_change_has_one_25_hour_day()
    {
        // The last evening of November, so the window holds the whole month.
        var window = UsagePeriod.ThisMonth.Resolve(NewYork, new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var days = LocalCalendar.Days(window.FirstDate, window.LastDate, NewYork);

        Assert.Equal(30, days.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), window.FromUtc);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), window.ToUtc);
        Assert.Equal(TimeSpan.FromHours(25), days[0].ToUtc - days[0].FromUtc);
        Assert.All(days.Skip(1), d => Assert.Equal(TimeSpan.FromHours(24), d.ToUtc - d.FromUtc));
    }

    [Fact]
    public void A_day_whose_midnight_is_skipped_starts_at_the_clock_change()
    {
        // Chile moves clocks from 00:00 to 01:00 on the first Sunday of September (UTC-4 to UTC-3).
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var start = LocalCalendar.StartOfDayUtc(new DateOnly(2026, 9, 6), santiago);

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 9, 6, 1, 0, 0, TimeSpan.FromHours(-3)), TimeZoneInfo.ConvertTime(start, santiago));
    }

    [Fact]
    public void A_range_includes_both_dates_and_rejects_a_reversed_range()
    {
        var window = UsagePeriod.Range(new DateOnly(2026, 1, 30), new DateOnly(2026, 2, 2)).Resolve(TimeZoneInfo.Utc, DateTimeOffset.UnixEpoch);

        Assert.Equal(TimeSpan.FromDays(4), window.ToUtc - window.FromUtc);
        Assert.Throws<ArgumentOutOfRangeException>(() => UsagePeriod.Range(new DateOnly(2026, 2, 2), new DateOnly(2026, 1, 30)));
    }
}
