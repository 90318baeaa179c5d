using System.CommandLine;
using OrleansTenancy.Cli.Client;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Commands;

/// <content><c>tenancy tenants</c> (list) and <c>tenancy tenants add|update|remove</c> (runtime tenants).</content>
public static partial class TenancyCli
{
    private static Command TenantsCommand(GlobalOptions g)
    {
        var command = new Command("tenants", "List tenants (of the tenants folder and registered at run time), workspaces, guilds, effective limits and load errors.");
        g.Run(command, _ => new CliRequest<TenantsReport>(
            "Listing tenants",
            (client, _, ct) => client.ListTenantsAsync(ct),
            AdminRenderer.Tenants));
        command.Add(TenantWriteCommand(g, "add", "Register a runtime tenant: durable, served by every silo, refused when the id is in use."));
        command.Add(TenantWriteCommand(g, "update", "Replace a runtime tenant's name, workspaces and limits (what is not given is dropped)."));
        command.Add(TenantCommand(
            g, "remove", "Remove a runtime tenant (a tenant of the tenants folder is removed with its folder).",
            slug => new CliRequest<RemovedTenant>($"Removing {slug}", (client, _, ct) => client.RemoveTenantAsync(slug, ct), AdminRenderer.Removed)));
        return command;
    }

    private static Command TenantWriteCommand(GlobalOptions g, string name, string description)
    {
        var tenant = TenantArgument();
        var displayName = new Option<string?>("--name") { Description = "Human name (default: the id)." };
        var workspaces = new Option<string[]?>("--workspace")
        {
            Description = "A workspace key; repeat for several (default: main).",
            AllowMultipleArgumentsPerToken = true,
        };
        var limitOptions = new LimitOptions();
        var command = new Command(name, description) { tenant, displayName, workspaces };
        limitOptions.AddTo(command);
        g.Run(command, parsed =>
        {
            var slug = parsed.GetRequiredValue(tenant);
            var workspaceKeys = parsed.GetValue(workspaces) is { Length: > 0 } keys ? keys : null;
            var limits = limitOptions.Read(parsed);
            return name == "add"
                ? new CliRequest<RuntimeTenant>($"Registering {slug}", (client, _, ct) => client.RegisterTenantAsync(new RuntimeTenantRequest(slug, parsed.GetValue(displayName), workspaceKeys, limits), ct), AdminRenderer.RuntimeTenant)
                : new CliRequest<RuntimeTenant>($"Replacing {slug}", (client, _, ct) => client.ReplaceTenantAsync(slug, new RuntimeTenantRequest(null, parsed.GetValue(displayName), workspaceKeys, limits), ct), AdminRenderer.RuntimeTenant);
        });
        return command;
    }
}
