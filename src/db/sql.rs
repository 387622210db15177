//! Hand-written SQL for the statements the query builder cannot say (window
//! functions, keyset conditions, bulk summaries), with the placeholders of the
//! connected backend (`$1` on PostgreSQL, `?` on SQLite).

use sea_orm::{DbBackend, Statement, Value};

/// Builds SQL with the placeholders of the connected backend.
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let n = self.values.len();
                self.text.push_str(&format!("${n}"));
            }
            _ => self.text.push('?'),
        }
        self
    }
    pub fn bind_list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> &mut Self {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(item.clone());
        }
        self
    }
    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

impl Sql {
    /// Runs the statement.
    pub async fn execute(
        self,
        db: &impl sea_orm::ConnectionTrait,
    ) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        db.execute_raw(self.statement()).await
    }
}
