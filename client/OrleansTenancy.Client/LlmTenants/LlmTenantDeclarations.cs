using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansTenancy.Client;

/// <summary>
/// Which types are LLM tenants: those registered with <c>AddLlmTenant&lt;T&gt;</c> (they win), then those carrying
/// <see cref="LlmTenantAttribute"/> (read once per type). A registration of a base type covers its subclasses.
/// </summary>
internal sealed class LlmTenantDeclarations
{
    private readonly IReadOnlyList<LlmTenantOptions> _registered;
    private readonly ConcurrentDictionary<Type, LlmTenantOptions?> _byType = new();

    public LlmTenantDeclarations(IEnumerable<LlmTenantOptions> registered) => _registered = [.. registered];

    /// <summary>The options of <paramref name="type"/>, or <see langword="null"/> when it is no LLM tenant.</summary>
    public LlmTenantOptions? Find(Type type) => _byType.GetOrAdd(type, static (t, registered) =>
        registered.LastOrDefault(o => o.TenantType == t)
        ?? registered.LastOrDefault(o => o.TenantType.IsAssignableFrom(t))
        ?? FromAttribute(t), _registered);

    /// <summary>The options an <see cref="LlmTenantAttribute"/> on <paramref name="type"/> (or a base class) declares.</summary>
    internal static LlmTenantOptions? FromAttribute(Type type)
    {
        if (type.GetCustomAttribute<LlmTenantAttribute>(inherit: true) is not { } declared)
        {
            return null;
        }

        return new LlmTenantOptions(
            type,
            declared.Id,
            MemberReader(type, declared.Id, nameof(LlmTenantAttribute.Id)),
            declared.Name,
            declared.Name is { } name ? NameReader(MemberReader(type, name, nameof(LlmTenantAttribute.Name))) : null,
            declared.Budget,
            declared.Limits,
            declared.Enforcement,
            declared.InheritGlobal,
            declared.Workspaces);
    }

    /// <summary>Reads the public instance property or field <paramref name="member"/> of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The type has no such readable member; the message names both and the option.</exception>
    internal static Func<object, object?> MemberReader(Type type, string member, string option)
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        if (type.GetProperty(member, Public) is { CanRead: true, GetMethod: not null } property && property.GetIndexParameters().Length == 0)
        {
            return property.GetValue;
        }

        if (type.GetField(member, Public) is { } field)
        {
            return field.GetValue;
        }

        throw new ArgumentException(
            $"{type.Name} is declared an LLM tenant with {option} = '{member}', but {type.Name} has no public property or field '{member}'.",
            nameof(member));
    }

    private static Func<object, string?> NameReader(Func<object, object?> read) =>
        o => read(o) is { } value ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
