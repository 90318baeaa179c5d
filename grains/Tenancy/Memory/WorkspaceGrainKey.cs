namespace OrleansTenancy.Tenancy.Memory;

/// <summary>
/// The key of a workspace grain, <c>tenant/workspace</c>: both parts are slugs (1 to 63 lowercase letters, digits
/// or hyphens, starting with a letter or digit), the same rule the tenant registry applies to them.
/// </summary>
public static class WorkspaceGrainKey
{
    /// <summary>The slug rule, in words, for error messages.</summary>
    public const string SlugRule = "1 to 63 lowercase letters, digits or hyphens, starting with a letter or digit";

    private const char Separator = '/';

    /// <summary>The grain key of <paramref name="context"/>'s workspace.</summary>
    /// <param name="context">A non-empty context whose parts are slugs.</param>
    /// <returns><c>tenant/workspace</c>.</returns>
    /// <exception cref="ArgumentException">The context is empty or a part is not a slug.</exception>
    public static string Format(TenantContext context)
    {
        if (context.IsEmpty)
        {
            throw new ArgumentException("An empty TenantContext has no workspace grain; resolve the effective context first.", nameof(context));
        }

        var key = string.Concat(context.Tenant, "/", context.Workspace);
        _ = Parse(key);
        return key;
    }

    /// <summary>Parses a workspace grain key.</summary>
    /// <param name="key">The key, <c>tenant/workspace</c>.</param>
    /// <returns>The context the key names.</returns>
    /// <exception cref="ArgumentException">The key is not two slugs separated by one <c>'/'</c>.</exception>
    public static TenantContext Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var separator = key.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0 || key.IndexOf(Separator, separator + 1) >= 0)
        {
            throw new ArgumentException(
                $"Workspace grain key '{key}' must be 'tenant/workspace' with exactly one '/'; build it with WorkspaceGrainKey.Format.", nameof(key));
        }

        var tenant = key[..separator];
        var workspace = key[(separator + 1)..];
        if (!IsSlug(tenant) || !IsSlug(workspace))
        {
            var (part, value) = IsSlug(tenant) ? ("workspace", workspace) : ("tenant", tenant);
            throw new ArgumentException(
                $"Workspace grain key '{key}' has {part} '{value}', which is not a slug: use {SlugRule}.", nameof(key));
        }

        return new TenantContext(tenant, workspace);
    }

    private static bool IsSlug(string text)
    {
        if (text.Length is 0 or > 63 || text[0] == '-')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
