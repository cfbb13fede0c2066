using Apex.Platform;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform();

var app = builder.Build();
app.MapPlatform();

await app.RunAsync();
