using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Routing for one (tenant, workspace) after merging levels: workspace over tenant over global.
/// <c>allowed_models</c> and <c>providers</c> are replaced as a whole by the lowest level that sets them;
/// <c>models</c> and <c>pricing</c> are merged entry by entry.
/// </summary>
public sealed record EffectiveRouting
{
    /// <summary>Models the router may select; empty means every model is allowed.</summary>
    public required IReadOnlyList<string> AllowedModels { get; init; }

    /// <summary>Provider preferences to send upstream, or <see langword="null"/> for OpenRouter's defaults.</summary>
    public ProviderPreferences? Providers { get; init; }

    /// <summary>Task → model, including the <c>default</c> task when configured.</summary>
    public required IReadOnlyDictionary<string, string> Models { get; init; }

    /// <summary>Price overrides by model id, USD per token.</summary>
    public required IReadOnlyDictionary<string, ModelPrice> Pricing { get; init; }

    /// <summary>The conservative price for models without a known price, from <c>_global.yaml</c>.</summary>
    public ModelPrice? UnknownModelPrice { get; init; }

    /// <summary>Whether <paramref name="model"/> may be used (always true when no allow-list is configured).</summary>
    public bool IsModelAllowed(string model) => AllowedModels.Count == 0 || AllowedModels.Contains(model, StringComparer.Ordinal);

    /// <summary>Keeps only the allowed models of <paramref name="candidates"/>, in their order.</summary>
    public IReadOnlyList<string> FilterAllowed(IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.Where(IsModelAllowed).ToList();
    }

    /// <summary>The model configured for <paramref name="task"/>, else the <c>default</c> model, else <see langword="null"/>.</summary>
    public string? ModelForTask(string? task)
        => task is not null && Models.TryGetValue(task, out var model) ? model
            : Models.TryGetValue("default", out var fallback) ? fallback : null;
}

/// <summary>Request policy for one (tenant, workspace): workspace over tenant over global over built-in defaults.</summary>
public sealed record EffectivePolicy
{
    /// <summary>Response cache lifetime when no level sets <c>cache_ttl_seconds</c>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultCacheTtl = TimeSpan.FromMinutes(5);

    /// <summary>Reservation lifetime when no level sets <c>reservation_ttl_seconds</c>: 10 minutes, longer than a long streamed call, so that a live call keeps its hold.</summary>
    public static readonly TimeSpan DefaultReservationTtl = TimeSpan.FromMinutes(10);

    /// <summary>Requests per minute, or <see langword="null"/> for no rate limit.</summary>
    public long? RequestsPerMinute { get; init; }

    /// <summary>Tokens per minute, or <see langword="null"/> for no token rate limit.</summary>
    public long? TokensPerMinute { get; init; }

    /// <summary>Cap on the completion tokens one request may reserve, or <see langword="null"/> for the model's own limit.</summary>
    public long? MaxTokens { get; init; }

    /// <summary>Whether to downshift to the cheapest allowed model that fits <c>max_per_request</c> (default off).</summary>
    public bool Downshift { get; init; }

    /// <summary>Response cache lifetime; zero disables caching (default <see cref="DefaultCacheTtl"/>).</summary>
    public TimeSpan CacheTtl { get; init; } = DefaultCacheTtl;

    /// <summary>How long an unsettled reservation is held (default <see cref="DefaultReservationTtl"/>).</summary>
    public TimeSpan ReservationTtl { get; init; } = DefaultReservationTtl;
}
