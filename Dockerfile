# One image per service: docker build --build-arg SERVICE=intake|worker|router .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY shared/rules/package.json shared/rules/
COPY services/intake/package.json services/intake/
COPY services/worker/package.json services/worker/
COPY services/router/package.json services/router/
RUN npm ci --no-audit --no-fund
COPY shared shared
COPY services services
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/shared/package.json shared/package.json
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/shared/rules/package.json shared/rules/package.json
COPY --from=build /app/shared/rules/dist shared/rules/dist
COPY --from=build /app/services/${SERVICE}/package.json services/${SERVICE}/package.json
COPY --from=build /app/services/${SERVICE}/dist services/${SERVICE}/dist
COPY rules rules
COPY tools/demo demo
USER node
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
