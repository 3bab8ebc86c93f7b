# midjourney-worker: one image for API nodes (`mjw serve --no-worker`) and workers (`mjw worker`).
# See docs/scale.md.
FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# `npm ci` builds dist/ through the `prepare` script (and better-sqlite3's native module).
RUN npm ci && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
USER node
ENTRYPOINT ["node", "bin/mjw.js"]
CMD ["serve", "--no-worker", "--host", "0.0.0.0"]
