using System.Text.Json.Serialization;

namespace OrleansTenancy.Tenancy;

/// <summary>
/// The (tenant, workspace) on whose behalf a call runs. It travels explicitly on grain requests and
/// ambiently through async flows (see <see cref="AmbientTenantContext"/>).
/// </summary>
/// <remarks>
/// Both parts must be non-blank and free of <c>':'</c>, because <c>':'</c> separates them in memory namespaces
/// (<see cref="MemNs(TenantContext, string)"/>) and cache keys; a part containing it could forge another tenant's
/// namespace. <c>default(TenantContext)</c> has no parts (<see cref="IsEmpty"/>) and is rejected where a context is needed.
/// </remarks>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Workspace">The workspace key within the tenant.</param>
public readonly partial record struct TenantContext(string Tenant, string Workspace)
{
    private const char Separator = ':';

    private readonly string _tenant = ValidatePart(Tenant, nameof(Tenant));
    private readonly string _workspace = ValidatePart(Workspace, nameof(Workspace));

    /// <summary>The non-strict fallback context, <c>default:main</c>.</summary>
    public static TenantContext Default { get; } = new("default", "main");

    /// <summary>The tenant slug (non-empty, no <c>':'</c>).</summary>
    public string Tenant { get => _tenant; init => _tenant = ValidatePart(value, nameof(Tenant)); }

    /// <summary>The workspace key within the tenant (non-empty, no <c>':'</c>).</summary>
    public string Workspace { get => _workspace; init => _workspace = ValidatePart(value, nameof(Workspace)); }

    /// <summary>Whether this is <c>default(TenantContext)</c>, which names no tenant at all.</summary>
    [JsonIgnore]
    public bool IsEmpty => _tenant is null;

    /// <summary>
    /// The memory namespace <c>"&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;"</c> of <paramref name="name"/> for
    /// <paramref name="context"/>; the memory service accepts only namespaces built for the caller's context.
    /// </summary>
    /// <param name="context">The owning context; must not be empty.</param>
    /// <param name="name">The namespace name within the workspace; must not be empty.</param>
    /// <exception cref="ArgumentException">The context is empty or the name is empty.</exception>
    public static string MemNs(TenantContext context, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (context.IsEmpty)
        {
            throw new ArgumentException(
                "An empty TenantContext has no memory namespace; resolve the effective context first (non-strict: default:main).",
                nameof(context));
        }

        return string.Concat(context._tenant, ":", context._workspace, ":", name);
    }

    /// <summary>Whether <paramref name="memoryNamespace"/> was built by <see cref="MemNs"/> for this context.</summary>
    /// <param name="memoryNamespace">A namespace such as <c>acme:support:faq</c>.</param>
    /// <returns><see langword="true"/> when the namespace has this context's prefix and a non-empty name.</returns>
    public bool OwnsNamespace(string? memoryNamespace)
    {
        if (IsEmpty || memoryNamespace is null)
        {
            return false;
        }

        var prefixLength = _tenant.Length + _workspace.Length + 2;
        return memoryNamespace.Length > prefixLength
            && memoryNamespace.StartsWith(_tenant, StringComparison.Ordinal)
            && memoryNamespace[_tenant.Length] == Separator
            && string.CompareOrdinal(memoryNamespace, _tenant.Length + 1, _workspace, 0, _workspace.Length) == 0
            && memoryNamespace[prefixLength - 1] == Separator;
    }

    /// <summary>Parses <c>"tenant:workspace"</c> (the <see cref="ToString"/> form).</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The context.</returns>
    /// <exception cref="FormatException">The text is not two valid parts separated by one <c>':'</c>.</exception>
    public static TenantContext Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var context)
            ? context
            : throw new FormatException($"'{text}' is not a tenant context; expected 'tenant:workspace' with non-empty parts and exactly one ':'.");
    }

    /// <summary>Tries to parse <c>"tenant:workspace"</c>.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="context">The parsed context, or <c>default</c>.</param>
    /// <returns>Whether the text was a valid context.</returns>
    public static bool TryParse(string? text, out TenantContext context)
    {
        context = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var separator = text.IndexOf(Separator, StringComparison.Ordinal);
        if (separator <= 0 || separator == text.Length - 1 || text.IndexOf(Separator, separator + 1) >= 0
            || string.IsNullOrWhiteSpace(text[..separator]) || string.IsNullOrWhiteSpace(text[(separator + 1)..]))
        {
            return false;
        }

        context = new TenantContext(text[..separator], text[(separator + 1)..]);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => IsEmpty ? string.Empty : $"{_tenant}:{_workspace}";

    private static string ValidatePart(string value, string part)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"TenantContext.{part} must not be empty or white space (got '{value}').", part);
        }

        if (value.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"TenantContext.{part} '{value}' must not contain ':' (it separates tenant, workspace and name in namespaces).", part);
        }

        return value;
    }
}
