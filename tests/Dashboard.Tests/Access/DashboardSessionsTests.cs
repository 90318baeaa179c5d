using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Dashboard;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Dashboard.Tests.Access;

/// <summary>The session token: tied to the admin key, expiring, tamper-evident; and the same-site check of form posts.</summary>
public sealed class DashboardSessionsTests
{
    private const string Key = "first-admin-key-0123456789";
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public void A_token_holds_no_key_and_verifies_with_the_key_it_was_issued_with()
    {
        var token = Sessions(Key).Issue();
        Assert.DoesNotContain(Key, token, StringComparison.Ordinal);
        Assert.True(Sessions(Key).IsValid(token));
        Assert.NotEqual(token, Sessions(Key).Issue());
    }

    [Fact]
    public void Changing_the_admin_key_invalidates_every_token()
    {
        var token = Sessions(Key).Issue();
        Assert.False(Sessions("second-admin-key-0123456789").IsValid(token));
        Assert.False(Sessions(null).IsValid(token));
    }

    [Fact]
    public void A_token_expires_after_the_session_lifetime()
    {
        var sessions = Sessions(Key, TimeSpan.FromHours(1));
        var token = sessions.Issue();
        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True(sessions.IsValid(token));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(sessions.IsValid(token));
    }

    [Fact]
    public void A_token_issued_far_in_the_future_is_refused()
    {
        var token = Sessions(Key).Issue();
        _clock.AdjustTime(_clock.GetUtcNow() - TimeSpan.FromMinutes(10));
        Assert.False(Sessions(Key).IsValid(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1.1.2.3")]
    [InlineData("v2.{issued}.{nonce}.{mac}")]
    [InlineData("v1.{later}.{nonce}.{mac}")]
    [InlineData("v1.{issued}.AAAAAAAAAAAAAAAAAAAAAA.{mac}")]
    [InlineData("v1.{issued}.{nonce}.{mac}x")]
    [InlineData("v1.99999999999999999999.{nonce}.{mac}")]
    public void A_forged_or_altered_token_is_refused(string template)
    {
        var token = Sessions(Key).Issue();
        var parts = token.Split('.');
        var forged = template
            .Replace("{issued}", parts[1], StringComparison.Ordinal)
            .Replace("{later}", (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{nonce}", parts[2], StringComparison.Ordinal)
            .Replace("{mac}", parts[3], StringComparison.Ordinal);
        Assert.False(Sessions(Key).IsValid(forged));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("POST", false)]
    [InlineData("PUT", false)]
    [InlineData("DELETE", false)]
    public void A_session_authorizes_reads_only(string method, bool authorized)
    {
        var sessions = Sessions(Key);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={sessions.Issue()}";
        Assert.Equal(authorized, sessions.AuthorizesRead(context.Request));
    }

    [Theory]
    [InlineData(null, null, true)] // no browser page sent it
    [InlineData("http://silo.internal:8080", null, true)]
    [InlineData("HTTP://SILO.INTERNAL:8080", null, true)]
    [InlineData(null, "http://silo.internal:8080/dashboard/login", true)]
    [InlineData("http://silo.internal:8081", null, false)]
    [InlineData("https://silo.internal:8080", null, false)]
    [InlineData("http://other.internal:8080", null, false)]
    [InlineData("null", null, false)]
    [InlineData(null, "http://other.internal:8080/page", false)]
    public void A_form_post_must_come_from_this_site(string? origin, string? referer, bool accepted)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("silo.internal:8080");
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        if (referer is not null)
        {
            context.Request.Headers.Referer = referer;
        }

        Assert.Equal(accepted, DashboardEndpoints.FromThisSite(context.Request));
    }

    [Theory]
    [InlineData(0, BudgetLevel.Ok)]
    [InlineData(79.99, BudgetLevel.Ok)]
    [InlineData(80, BudgetLevel.Near)]
    [InlineData(99.99, BudgetLevel.Near)]
    [InlineData(100, BudgetLevel.Reached)]
    [InlineData(250, BudgetLevel.Reached)]
    public void A_limit_is_near_its_cap_from_80_percent_and_reached_from_100(double percent, BudgetLevel level) =>
        Assert.Equal(level, BudgetLevels.Of((decimal)percent));

    private DashboardSessions Sessions(string? key, TimeSpan? lifetime = null) => new(
        Options.Create(new TenancyHostOptions { AdminKey = key }),
        Options.Create(new DashboardOptions { SessionLifetime = lifetime ?? TimeSpan.FromHours(12) }),
        _clock);
}
