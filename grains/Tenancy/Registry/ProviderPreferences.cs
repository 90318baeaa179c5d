namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// OpenRouter's provider-routing object, as a tenant configures it (<c>providers:</c>). A plain YAML list
/// of provider names is shorthand for <see cref="Order"/>. Unset members are <see langword="null"/> and are
/// left out of the upstream request so OpenRouter's defaults apply.
/// </summary>
public sealed record ProviderPreferences
{
    /// <summary>Providers to try first, in order (<c>order</c>).</summary>
    public IReadOnlyList<string>? Order { get; init; }

    /// <summary>Whether OpenRouter may fall back to providers outside <see cref="Order"/> (<c>allow_fallbacks</c>).</summary>
    public bool? AllowFallbacks { get; init; }

    /// <summary>Only these providers may serve the request (<c>only</c>).</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>These providers must not serve the request (<c>ignore</c>).</summary>
    public IReadOnlyList<string>? Ignore { get; init; }

    /// <summary>Provider ranking: <c>price</c>, <c>throughput</c> or <c>latency</c> (<c>sort</c>).</summary>
    public string? Sort { get; init; }

    /// <summary><c>allow</c> or <c>deny</c>: whether providers that store or train on prompts may serve it (<c>data_collection</c>).</summary>
    public string? DataCollection { get; init; }

    /// <summary>Highest acceptable provider price (<c>max_price</c>).</summary>
    public MaxPrice? MaxPrice { get; init; }
}

/// <summary>OpenRouter's <c>max_price</c> object. Prompt and completion are USD per million tokens, as OpenRouter defines them.</summary>
public sealed record MaxPrice
{
    /// <summary>Highest prompt price, USD per million tokens.</summary>
    public decimal? Prompt { get; init; }

    /// <summary>Highest completion price, USD per million tokens.</summary>
    public decimal? Completion { get; init; }

    /// <summary>Highest fixed price per request, USD.</summary>
    public decimal? Request { get; init; }

    /// <summary>Highest price per input image, USD.</summary>
    public decimal? Image { get; init; }
}
