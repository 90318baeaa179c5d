using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>The <see cref="ILlmTenants"/> of a service: its declarations over its cluster client.</summary>
internal sealed partial class LlmTenants(TenancyClient client, LlmTenantDeclarations declarations) : ILlmTenants
{
    public TenancyClient Client { get; } = client;

    public LlmTenantOptions? OptionsFor(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type == typeof(LlmTenantId) ? LlmTenantOptions.ForPlainIds : declarations.Find(type);
    }

    public LlmTenant For(object tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (tenant is LlmTenant handle)
        {
            return handle;
        }

        var options = OptionsFor(tenant.GetType()) ?? throw NotATenant(tenant.GetType(), nameof(tenant));
        var id = options.TenantIdOf(tenant);
        return new LlmTenant(Client.Tenant(id), options, tenant is LlmTenantId ? null : tenant, options.NameOf(tenant));
    }

    public async Task<EnsuredLlmTenant> EnsureLlmTenantAsync(object tenant, CancellationToken cancellationToken = default)
    {
        var handle = For(tenant);
        var definition = handle.Record is { } record ? handle.Options.ToDefinition(record) : new TenantDefinition { Id = handle.Id };
        var ensured = await Client.Directory.EnsureAsync(definition, cancellationToken);
        return new EnsuredLlmTenant(handle, ensured.Tenant, ensured.Created);
    }

    internal static ArgumentException NotATenant(Type type, string paramName) => new(
        type == typeof(string)
            ? "A tenant must be an LLM tenant object, not a string: declare its class with [LlmTenant] or services.AddLlmTenant<T>(), or pass a plain id as new LlmTenantId(\"…\")."
            : $"{type.FullName} is not an LLM tenant: declare it with [LlmTenant] or services.AddLlmTenant<{type.Name}>(), or pass a plain id as new LlmTenantId(\"…\").",
        paramName);
}
