using System.Globalization;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Workspaces;

public sealed partial class WorkspaceGrain
{
    /// <summary>The longest namespace name after the <c>&lt;tenant&gt;:&lt;workspace&gt;:</c> prefix, and the longest entry id.</summary>
    public const int MaxNameLength = 128;

    private string Workspace => _context.ToString();

    /// <summary>Checks that the namespace is this workspace's and well formed; returns it unchanged.</summary>
    private string CheckNamespace(string? memoryNamespace)
    {
        if (string.IsNullOrEmpty(memoryNamespace))
        {
            throw new ArgumentException(
                $"The memory namespace is empty; use '{_prefix}<name>' (TenantContext.MemNs) for workspace '{Workspace}'.", nameof(memoryNamespace));
        }

        if (!memoryNamespace.StartsWith(_prefix, StringComparison.Ordinal))
        {
            throw new NamespaceAccessDeniedException(
                $"Memory namespace '{Printable(memoryNamespace)}' does not belong to workspace '{Workspace}'; "
                + $"only namespaces starting with '{_prefix}' are served here.");
        }

        var name = memoryNamespace.AsSpan(_prefix.Length);
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            throw new ArgumentException(
                $"Memory namespace '{Printable(memoryNamespace)}' of workspace '{Workspace}' has a name of {name.Length} characters "
                + $"after '{_prefix}'; it must be 1 to {MaxNameLength}.", nameof(memoryNamespace));
        }

        if (name.ContainsAnyInRange('\0', '\u001f') || name.Contains('\u007f'))
        {
            throw new ArgumentException(
                $"Memory namespace '{Printable(memoryNamespace)}' of workspace '{Workspace}' contains a control character; use printable characters only.",
                nameof(memoryNamespace));
        }

        return memoryNamespace;
    }

    private void CheckText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"MemoryAddRequest.Text is empty; workspace '{Workspace}' stores only non-blank text.", nameof(text));
        }

        if (text.Length > _options.MaxTextLength)
        {
            throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxTextLength), text.Length, _options.MaxTextLength, "the entry text is too long (characters)");
        }
    }

    private void CheckIdentifier(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxNameLength || id.AsSpan().ContainsAnyInRange('\0', '\u001f'))
        {
            throw new ArgumentException(
                $"{what} '{Printable(id ?? "")}' is not a valid memory entry id in workspace '{Workspace}': use 1 to {MaxNameLength} printable characters.",
                nameof(id));
        }
    }

    /// <summary>Checks the metadata of a new entry and copies it.</summary>
    private Dictionary<string, string> CheckMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return copy;
        }

        if (metadata.Count > _options.MaxMetadataPairs)
        {
            throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxMetadataPairs), metadata.Count, _options.MaxMetadataPairs, "the entry has too many metadata pairs");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException($"A metadata key is empty in an entry for workspace '{Workspace}'; keys must be non-blank.", nameof(metadata));
            }

            if (key.Length > _options.MaxMetadataKeyLength)
            {
                throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxMetadataKeyLength), key.Length, _options.MaxMetadataKeyLength, $"metadata key '{Printable(key)}' is too long");
            }

            if (value is null)
            {
                throw new ArgumentException($"Metadata '{Printable(key)}' has no value in an entry for workspace '{Workspace}'; use an empty string or leave the key out.", nameof(metadata));
            }

            if (value.Length > _options.MaxMetadataValueLength)
            {
                throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxMetadataValueLength), value.Length, _options.MaxMetadataValueLength, $"the value of metadata '{Printable(key)}' is too long");
            }

            if (!seen.Add(key))
            {
                throw new ArgumentException(
                    $"Metadata key '{Printable(key)}' appears twice ignoring case in an entry for workspace '{Workspace}'; keys are case-insensitive, keep one.",
                    nameof(metadata));
            }

            copy[key] = value;
        }

        return copy;
    }

    private MemoryLimitExceededException LimitExceeded(string limit, int current, int maximum, string what) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"Workspace '{Workspace}': {what}: {current} reaches or exceeds WorkspaceMemoryOptions.{limit} = {maximum}. Delete entries or namespaces, or raise the limit in the silo's configuration."));

    // Namespaces and ids come from callers; keep control characters out of messages and logs.
    private static string Printable(string text)
    {
        var shortened = text.Length > 200 ? string.Concat(text.AsSpan(0, 200), "...") : text;
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
