using Microsoft.Extensions.Options;

namespace OrleansTenancy.Grains.Workspaces;

/// <summary>Per-workspace size limits of memory and of the response cache.</summary>
public sealed class WorkspaceMemoryOptions
{
    /// <summary>Entries across all namespaces of one workspace. Defaults to 10,000.</summary>
    public int MaxEntriesPerWorkspace { get; set; } = 10_000;

    /// <summary>Namespaces of one workspace. Defaults to 100.</summary>
    public int MaxNamespaces { get; set; } = 100;

    /// <summary>Characters of one entry's text. Defaults to 32,768.</summary>
    public int MaxTextLength { get; set; } = 32 * 1024;

    /// <summary>Metadata pairs of one entry. Defaults to 32; zero forbids metadata.</summary>
    public int MaxMetadataPairs { get; set; } = 32;

    /// <summary>Characters of one metadata key. Defaults to 128.</summary>
    public int MaxMetadataKeyLength { get; set; } = 128;

    /// <summary>Characters of one metadata value. Defaults to 1,024.</summary>
    public int MaxMetadataValueLength { get; set; } = 1024;

    /// <summary>Responses kept in one workspace's cache; beyond it the least recently used goes. Defaults to 1,000.</summary>
    public int MaxCacheEntries { get; set; } = 1000;

    /// <summary>Characters of one cached payload. Defaults to 262,144 (256 Ki).</summary>
    public int MaxCachePayloadLength { get; set; } = 256 * 1024;

    /// <summary>The longest time-to-live a response may be cached for. Defaults to 24 hours.</summary>
    public TimeSpan MaxCacheTtl { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Rejects <see cref="WorkspaceMemoryOptions"/> outside their valid ranges, naming the property and the range.</summary>
public sealed class WorkspaceMemoryOptionsValidator : IValidateOptions<WorkspaceMemoryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkspaceMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        AtLeast(failures, nameof(options.MaxEntriesPerWorkspace), options.MaxEntriesPerWorkspace, 1);
        AtLeast(failures, nameof(options.MaxNamespaces), options.MaxNamespaces, 1);
        AtLeast(failures, nameof(options.MaxTextLength), options.MaxTextLength, 1);
        AtLeast(failures, nameof(options.MaxMetadataPairs), options.MaxMetadataPairs, 0);
        AtLeast(failures, nameof(options.MaxMetadataKeyLength), options.MaxMetadataKeyLength, 1);
        AtLeast(failures, nameof(options.MaxMetadataValueLength), options.MaxMetadataValueLength, 1);
        AtLeast(failures, nameof(options.MaxCacheEntries), options.MaxCacheEntries, 1);
        AtLeast(failures, nameof(options.MaxCachePayloadLength), options.MaxCachePayloadLength, 1);
        if (options.MaxCacheTtl <= TimeSpan.Zero)
        {
            failures.Add($"WorkspaceMemoryOptions.MaxCacheTtl is {options.MaxCacheTtl}; it must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void AtLeast(List<string> failures, string property, int value, int minimum)
    {
        if (value < minimum)
        {
            failures.Add($"WorkspaceMemoryOptions.{property} is {value}; it must be at least {minimum}.");
        }
    }
}
