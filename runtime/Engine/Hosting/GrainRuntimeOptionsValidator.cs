using Microsoft.Extensions.Options;

namespace OrleansTenancy.Runtime.Hosting;

/// <summary>Rejects <see cref="GrainRuntimeOptions"/> outside their valid ranges, naming the property and the range.</summary>
public sealed class GrainRuntimeOptionsValidator : IValidateOptions<GrainRuntimeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GrainRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(failures, nameof(options.CollectionAge), options.CollectionAge);
        Positive(failures, nameof(options.CollectionQuantum), options.CollectionQuantum);
        Positive(failures, nameof(options.ResponseTimeout), options.ResponseTimeout);
        Positive(failures, nameof(options.ActivationTimeout), options.ActivationTimeout);
        Positive(failures, nameof(options.DeactivationTimeout), options.DeactivationTimeout);
        Positive(failures, nameof(options.MembershipRefreshPeriod), options.MembershipRefreshPeriod);
        if (options.CollectionQuantum > options.CollectionAge)
        {
            failures.Add($"GrainRuntimeOptions.CollectionQuantum ({options.CollectionQuantum}) must not exceed GrainRuntimeOptions.CollectionAge ({options.CollectionAge}).");
        }

        if (options.MaxStatelessWorkersPerSilo < 1)
        {
            failures.Add($"GrainRuntimeOptions.MaxStatelessWorkersPerSilo is {options.MaxStatelessWorkersPerSilo}; it must be at least 1.");
        }

        if (options.MaxForwardCount is < 0 or > 10)
        {
            failures.Add($"GrainRuntimeOptions.MaxForwardCount is {options.MaxForwardCount}; it must be between 0 and 10.");
        }

        if (string.IsNullOrWhiteSpace(options.DefaultStorageName))
        {
            failures.Add("GrainRuntimeOptions.DefaultStorageName is empty; set a provider name such as \"Default\".");
        }

        if (string.IsNullOrWhiteSpace(options.SiloHost))
        {
            failures.Add("GrainRuntimeOptions.SiloHost is empty; set the host name other silos reach this one by.");
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            failures.Add($"GrainRuntimeOptions.SiloPort is {options.SiloPort}; it must be between 1 and 65535.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string property, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            failures.Add($"GrainRuntimeOptions.{property} is {value}; it must be a positive, finite duration.");
        }
    }
}
