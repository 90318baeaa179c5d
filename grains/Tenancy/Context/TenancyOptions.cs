namespace OrleansTenancy.Tenancy.Context;

/// <summary>
/// Whether a call without a <see cref="TenantContext"/> fails (strict) or falls back to <c>default:main</c>.
/// </summary>
public sealed class TenancyOptions
{
    /// <summary>The environment variable that turns strict mode on for routing and memory.</summary>
    public const string TenancyStrictVariable = "ENABLE_TENANCY_STRICT";

    /// <summary>The origin product's second switch, honoured as an alias of <see cref="TenancyStrictVariable"/>.</summary>
    public const string IngestStrictVariable = "ENABLE_INGEST_STRICT";

    /// <summary>
    /// Strict mode from configuration (<c>Tenancy:Strict</c>). Defaults to <see langword="null"/>: not configured,
    /// so the environment decides (<see cref="IsStrictFromEnvironment"/>). A configured value wins over the environment.
    /// </summary>
    public bool? Strict { get; set; }

    /// <summary>The effective strict flag: <see cref="Strict"/> when configured, else the environment.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable (for example <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <returns>Whether strict mode is on.</returns>
    public bool ResolveStrict(Func<string, string?> getEnvironmentVariable) =>
        Strict ?? IsStrictFromEnvironment(getEnvironmentVariable);

    /// <summary>
    /// Whether <c>ENABLE_TENANCY_STRICT</c> or <c>ENABLE_INGEST_STRICT</c> is set to <c>1</c>, <c>true</c>, <c>yes</c>
    /// or <c>on</c> (any case, surrounding white space ignored).
    /// </summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable.</param>
    /// <returns>Whether either switch is on.</returns>
    public static bool IsStrictFromEnvironment(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        return IsTruthy(getEnvironmentVariable(TenancyStrictVariable)) || IsTruthy(getEnvironmentVariable(IngestStrictVariable));
    }

    /// <summary>Whether a switch value means "on": <c>1</c>, <c>true</c>, <c>yes</c> or <c>on</c>, any case.</summary>
    /// <param name="value">The raw value.</param>
    /// <returns>Whether it means on.</returns>
    public static bool IsTruthy(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var trimmed = value.AsSpan().Trim();
        return trimmed.Equals("1", StringComparison.Ordinal)
            || trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("on", StringComparison.OrdinalIgnoreCase);
    }
}
