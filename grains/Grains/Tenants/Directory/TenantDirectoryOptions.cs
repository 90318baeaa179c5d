using Microsoft.Extensions.Options;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>How silos keep up with the tenant directory (configuration section <c>Tenancy:Directory</c>).</summary>
/// <remarks>
/// Changes are pushed to every active silo before the change is answered; the poll is the safety net for a silo that
/// missed a push (it joined meanwhile, or the push failed), and the load at start.
/// </remarks>
public sealed class TenantDirectoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Tenancy:Directory";

    /// <summary>How often each silo asks the directory for its version and fetches the tenants when it grew. Default 10 seconds.</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a change waits for each silo to take it before answering without it. Default 5 seconds.</summary>
    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a starting silo waits for the runtime tenants before it serves without them (the poll adds them later). Default 30 seconds.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public override string ToString() => $"PollPeriod={PollPeriod}, PushTimeout={PushTimeout}, StartTimeout={StartTimeout}";
}

/// <summary>Checks <see cref="TenantDirectoryOptions"/>: every period positive.</summary>
public sealed class TenantDirectoryOptionsValidator : IValidateOptions<TenantDirectoryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TenantDirectoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(nameof(options.PollPeriod), options.PollPeriod);
        Positive(nameof(options.PushTimeout), options.PushTimeout);
        Positive(nameof(options.StartTimeout), options.StartTimeout);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(string setting, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{TenantDirectoryOptions.SectionName}:{setting} must be a positive duration (for example 00:00:10), not {value}.");
            }
        }
    }
}
