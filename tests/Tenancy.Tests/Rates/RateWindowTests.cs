using OrleansTenancy.Tenancy.Rates;

namespace OrleansTenancy.Tenancy.Tests.Rates;

/// <summary>The per-minute rule on the test clock.</summary>
public sealed class RateWindowTests
{
    private readonly TestClock _clock = new();
    private readonly RateWindow _window = new();

    [Fact]
    public void The_request_limit_admits_exactly_that_many_a_minute_and_says_when_the_window_ends()
    {
        var limits = new RateLimits(RequestsPerMinute: 3, TokensPerMinute: null);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(Admit(limits, 10));
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(30), _window.Check(limits, 10, _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(TimeSpan.FromSeconds(1), _window.Check(limits, 10, _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(Admit(limits, 10));
    }

    [Fact]
    public void A_refusal_counts_nothing()
    {
        var limits = new RateLimits(RequestsPerMinute: 1, TokensPerMinute: null);
        Assert.Null(Admit(limits, 1));
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(Admit(limits, 1));
        }

        _clock.Advance(RateWindow.Length);
        Assert.Null(Admit(limits, 1));
        Assert.NotNull(Admit(limits, 1));
    }

    [Fact]
    public void The_token_limit_refuses_what_would_pass_it_but_a_single_large_request_runs_in_an_empty_window()
    {
        var limits = new RateLimits(RequestsPerMinute: null, TokensPerMinute: 1_000);
        Assert.Null(Admit(limits, 5_000));
        Assert.NotNull(Admit(limits, 1));

        _clock.Advance(RateWindow.Length);
        Assert.Null(Admit(limits, 600));
        Assert.Null(Admit(limits, 400));
        Assert.NotNull(Admit(limits, 1));
    }

    [Fact]
    public void Without_limits_everything_is_admitted()
    {
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Null(Admit(RateLimits.None, 1_000_000));
        }
    }

    /// <summary>What the owner does: check, and count only what it admits.</summary>
    private TimeSpan? Admit(RateLimits limits, long tokens)
    {
        var wait = _window.Check(limits, tokens, _clock.GetUtcNow());
        if (wait is null)
        {
            _window.Count(tokens, _clock.GetUtcNow());
        }

        return wait;
    }
}
