using System.Text.Json.Serialization;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// The one format of a <see cref="PendingSettlement"/> kept on disk (a journal line, an outbox file), generated at build
/// time so that writing a line on the request path reflects over nothing. Its options are the serializer's defaults:
/// files written by any build read back.
/// </summary>
[JsonSerializable(typeof(PendingSettlement))]
internal sealed partial class SettlementJsonContext : JsonSerializerContext;
