using Microsoft.Extensions.Options;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>Settings of the tenant dashboard at <c>/dashboard</c>, bound from the <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// How long a sign-in lasts before the admin key must be entered again. Defaults to 12 hours; between 1 minute and
    /// 30 days.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often the open page fetches fresh figures. Defaults to 5 seconds; between 1 second and 10 minutes.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override string ToString() => $"SessionLifetime={SessionLifetime}, RefreshInterval={RefreshInterval}";
}

/// <summary>Validates <see cref="DashboardOptions"/> at start, naming the setting and its valid range.</summary>
public sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SessionLifetime < TimeSpan.FromMinutes(1) || options.SessionLifetime > TimeSpan.FromDays(30))
        {
            failures.Add($"Dashboard:SessionLifetime must be between 00:01:00 and 30.00:00:00, not {options.SessionLifetime}.");
        }

        if (options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Dashboard:RefreshInterval must be between 00:00:01 and 00:10:00, not {options.RefreshInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
