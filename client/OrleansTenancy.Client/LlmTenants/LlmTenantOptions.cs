using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// How objects of one type are LLM tenants: where their tenant id and name come from, and the budget, limits,
/// enforcement and workspaces a tenant is created with. Made by <see cref="LlmTenantAttribute"/> on the class or by
/// <c>services.AddLlmTenant&lt;T&gt;(…)</c>; both produce this one model, and every default lives here.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>option</term><description>default</description></listheader>
/// <item><term><see cref="IdMember"/></term><description>the type's <c>Id</c> property, as an invariant string</description></item>
/// <item><term><see cref="NameMember"/></term><description>none: the object's own <see cref="object.ToString"/> when its type overrides it, else the id</description></item>
/// <item><term><see cref="Budget"/></term><description><see langword="false"/>; <see langword="true"/> as soon as a limit is given</description></item>
/// <item><term><see cref="Limits"/></term><description>none (<see cref="LlmTenantLimits.None"/>)</description></item>
/// <item><term><see cref="Enforcement"/></term><description><see cref="GrainInterfaces.Enforcement.Soft"/></description></item>
/// <item><term><see cref="InheritGlobal"/></term><description><see langword="true"/></description></item>
/// <item><term><see cref="Workspaces"/></term><description>none: the tenant has the default workspace, <see cref="DefaultWorkspaceName"/></description></item>
/// </list>
/// </remarks>
public sealed class LlmTenantOptions
{
    /// <summary>The workspace a tenant created without workspaces has, and the one its calls run in.</summary>
    public const string DefaultWorkspaceName = TenantDirectory.DefaultWorkspace;

    /// <summary>The member the tenant id comes from when none is named.</summary>
    public const string DefaultIdMember = "Id";

    /// <summary>The default <see cref="Enforcement"/>.</summary>
    public const Enforcement DefaultEnforcement = GrainInterfaces.Enforcement.Soft;

    private readonly Func<object, object?> _id;
    private readonly Func<object, string?>? _name;

    internal LlmTenantOptions(
        Type tenantType,
        string idMember,
        Func<object, object?> id,
        string? nameMember,
        Func<object, string?>? name,
        bool budget,
        LlmTenantLimits? limits,
        Enforcement? enforcement,
        bool? inheritGlobal,
        IReadOnlyList<string>? workspaces)
    {
        TenantType = tenantType;
        IdMember = idMember;
        _id = id;
        NameMember = nameMember;
        _name = name;
        Limits = limits ?? LlmTenantLimits.None;
        Budget = budget || !Limits.IsEmpty;
        Enforcement = enforcement ?? DefaultEnforcement;
        InheritGlobal = inheritGlobal ?? true;
        Workspaces = workspaces is { Count: > 0 } ? [.. workspaces] : [];
    }

    /// <summary>The type whose objects are tenants (or a base type of theirs).</summary>
    public Type TenantType { get; }

    /// <summary>Where the tenant id comes from: a member name (<c>Slug</c>) or, for a fluent selector, its code.</summary>
    public string IdMember { get; }

    /// <summary>Where the tenant's display name comes from; <see langword="null"/> when none is named (see the remarks).</summary>
    public string? NameMember { get; }

    /// <summary>
    /// Whether the tenant is created with a budget of its own (<see cref="Limits"/>, <see cref="Enforcement"/>,
    /// <see cref="InheritGlobal"/>); without one it runs on the cluster's global defaults. Giving a limit implies it.
    /// </summary>
    public bool Budget { get; }

    /// <summary>The limits the tenant is created with.</summary>
    public LlmTenantLimits Limits { get; }

    /// <summary>How the tenant's limits are enforced: <c>None</c> tracks, <c>Soft</c> alerts, <c>Hard</c> refuses.</summary>
    public Enforcement Enforcement { get; }

    /// <summary>Whether a limit the tenant does not set is taken from the cluster's global defaults.</summary>
    public bool InheritGlobal { get; }

    /// <summary>The tenant's workspaces; empty means the default workspace only.</summary>
    public IReadOnlyList<string> Workspaces { get; }

    /// <summary>The workspace calls run in when none is named: the first of <see cref="Workspaces"/>, else <see cref="DefaultWorkspaceName"/>.</summary>
    public string DefaultWorkspace => Workspaces.Count > 0 ? Workspaces[0] : DefaultWorkspaceName;

    /// <summary>The options of a plain tenant id (<see cref="LlmTenantId"/>): every default, the id is the value itself.</summary>
    public static LlmTenantOptions ForPlainIds { get; } = new(
        typeof(LlmTenantId), nameof(LlmTenantId.Value), o => ((LlmTenantId)o).Value, null, null, false, null, null, null, null);

    /// <summary>The tenant id of <paramref name="tenant"/>: its <see cref="IdMember"/> as an invariant string.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a <see cref="TenantType"/>, or its id is empty.</exception>
    public string TenantIdOf(object tenant)
    {
        CheckType(tenant);
        var value = _id(tenant);
        var id = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException(
                $"{TenantType.Name}.{IdMember} is empty, so this {TenantType.Name} has no LLM tenant id yet (an id generated by the database exists once it is saved).",
                nameof(tenant));
        }

        return id;
    }

    /// <summary>The display name of <paramref name="tenant"/> (see the remarks of <see cref="LlmTenantOptions"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a <see cref="TenantType"/>, or its id is empty.</exception>
    public string NameOf(object tenant)
    {
        CheckType(tenant);
        var name = _name is not null ? _name(tenant) : OwnToString(tenant);
        return string.IsNullOrWhiteSpace(name) ? TenantIdOf(tenant) : name;
    }

    /// <summary>The tenant <paramref name="tenant"/> is created as: its id, name, workspaces and budget.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a <see cref="TenantType"/>, or its id is empty.</exception>
    public TenantDefinition ToDefinition(object tenant) => new()
    {
        Id = TenantIdOf(tenant),
        Name = NameOf(tenant),
        Workspaces = Workspaces,
        Budget = ToBudgetLimits(),
    };

    /// <summary>The budget the tenant is created with, or <see langword="null"/> without <see cref="Budget"/>.</summary>
    public BudgetLimits? ToBudgetLimits() => Budget ? Limits.ToBudgetLimits(Enforcement, InheritGlobal) : null;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{TenantType.Name}: id={IdMember}, name={NameMember ?? "<ToString or id>"}, budget={Budget}, limits={Limits}, enforcement={Enforcement}, inherit_global={InheritGlobal}, workspaces=[{string.Join(",", Workspaces)}]");

    private void CheckType(object tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!TenantType.IsInstanceOfType(tenant))
        {
            throw new ArgumentException($"The LLM tenant options of {TenantType.Name} do not apply to a {tenant.GetType().Name}.", nameof(tenant));
        }
    }

    /// <summary>The object's own text: a <see cref="object.ToString"/> its type writes, not the inherited or a record's generated one.</summary>
    private static string? OwnToString(object tenant)
    {
        var method = tenant.GetType().GetMethod(nameof(ToString), BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        return method is null || method.DeclaringType == typeof(object) || method.DeclaringType == typeof(ValueType) || method.IsDefined(typeof(CompilerGeneratedAttribute))
            ? null
            : tenant.ToString();
    }
}
