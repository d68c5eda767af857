# One image recipe for every SagaWorkflows host: docker build --build-arg PROJECT=SagaWorkflows.Worker .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
WORKDIR /src
COPY . .
RUN dotnet publish "src/${PROJECT}/${PROJECT}.csproj" -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG PROJECT
ENV HOST_ASSEMBLY=${PROJECT}.dll
WORKDIR /app
COPY --from=build /app .
COPY samples /app/samples
ENTRYPOINT ["sh", "-c", "exec dotnet \"$HOST_ASSEMBLY\" \"$@\"", "--"]
