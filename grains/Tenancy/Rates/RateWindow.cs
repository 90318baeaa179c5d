namespace OrleansTenancy.Tenancy.Rates;

/// <summary>A tenant's rate limits (<c>requests_per_minute</c>, <c>tokens_per_minute</c>); <see langword="null"/> means unlimited.</summary>
/// <param name="RequestsPerMinute">Requests a minute, or <see langword="null"/>.</param>
/// <param name="TokensPerMinute">Estimated tokens (prompt plus completion) a minute, or <see langword="null"/>.</param>
public readonly record struct RateLimits(long? RequestsPerMinute, long? TokensPerMinute)
{
    /// <summary>No limit at all.</summary>
    public static RateLimits None => default;

    /// <summary>Whether neither limit is set.</summary>
    public bool IsUnlimited => RequestsPerMinute is null && TokensPerMinute is null;
}

/// <summary>
/// One tenant's request and token counts in fixed one-minute windows: the rule behind <c>requests_per_minute</c> and
/// <c>tokens_per_minute</c>. Pure and single-threaded: its owner (the tenant's budget account, held by the tenant's
/// one activation) asks <see cref="Check"/> and then <see cref="Count"/> in one decision, so the limit holds for the
/// tenant across every silo.
/// </summary>
/// <remarks>
/// A window starts with the first request counted after the previous one ended and lasts <see cref="Length"/>. A
/// request is refused when it would be one request too many, or when the window already counted tokens and this
/// request's would pass the token limit: a single request larger than the whole token limit still runs in an empty
/// window, or it could never run. A refusal counts nothing and says how long until the window ends.
/// </remarks>
public sealed class RateWindow
{
    /// <summary>The length of a window: one minute.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    private DateTimeOffset _end;
    private long _requests;
    private long _tokens;

    /// <summary>
    /// How long to wait before a request of <paramref name="tokens"/> fits <paramref name="limits"/> at
    /// <paramref name="now"/>, or <see langword="null"/> when it fits now. Counts nothing.
    /// </summary>
    public TimeSpan? Check(RateLimits limits, long tokens, DateTimeOffset now)
    {
        if (limits.IsUnlimited || now >= _end)
        {
            return null;
        }

        var overRequests = limits.RequestsPerMinute is { } rpm && _requests + 1 > rpm;
        var overTokens = limits.TokensPerMinute is { } tpm && _tokens > 0 && _tokens + tokens > tpm;
        return overRequests || overTokens ? _end - now : null;
    }

    /// <summary>Counts one request of <paramref name="tokens"/> at <paramref name="now"/>, starting a window when none is open.</summary>
    public void Count(long tokens, DateTimeOffset now)
    {
        if (now >= _end)
        {
            _end = now + Length;
            _requests = 0;
            _tokens = 0;
        }

        _requests++;
        _tokens += Math.Max(0, tokens);
    }
}
