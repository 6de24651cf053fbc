import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0001_initial'),
        ('agents_app', '0001_initial'),
        ('telephony', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='encuesta',
            name='nombre_cliente',
            field=models.CharField(blank=True, max_length=200, verbose_name='nombre del cliente'),
        ),
        migrations.AddField(
            model_name='encuesta',
            name='respuestas',
            field=models.JSONField(blank=True, default=dict, verbose_name='respuestas'),
        ),
        migrations.AddField(
            model_name='encuesta',
            name='transcription',
            field=models.TextField(blank=True, default='', verbose_name='transcripción'),
        ),
        migrations.AddField(
            model_name='encuesta',
            name='seconds_used',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='segundos'),
        ),
        migrations.AddField(
            model_name='encuesta',
            name='tokens_used',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='tokens'),
        ),
        migrations.AddField(
            model_name='encuesta',
            name='voice_agent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='encuestas', to='agents_app.voiceagent', verbose_name='agente'),
        ),
        migrations.CreateModel(
            name='DoNotCallEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone', models.CharField(max_length=32, unique=True, verbose_name='teléfono')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='motivo')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='añadido')),
                ('encuesta', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='calls.encuesta')),
            ],
            options={
                'verbose_name': 'número en lista de no llamar',
                'verbose_name_plural': 'lista de no llamar',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Call',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('attempt', models.PositiveSmallIntegerField(default=1, verbose_name='intento')),
                ('room_name', models.CharField(max_length=128, unique=True, verbose_name='sala LiveKit')),
                ('to_number', models.CharField(max_length=32, verbose_name='número destino')),
                ('from_number', models.CharField(blank=True, max_length=32, verbose_name='número origen')),
                ('sip_trunk_id', models.CharField(blank=True, max_length=64, verbose_name='trunk SIP')),
                ('dispatch_id', models.CharField(blank=True, max_length=64, verbose_name='id de despacho')),
                ('sip_participant_id', models.CharField(blank=True, max_length=64, verbose_name='participante SIP')),
                ('sip_call_id', models.CharField(blank=True, max_length=128, verbose_name='id de llamada SIP')),
                ('sip_status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='código SIP')),
                ('sip_status', models.CharField(blank=True, max_length=200, verbose_name='estado SIP')),
                ('status', models.CharField(choices=[('queued', 'En cola'), ('dialing', 'Marcando'), ('ringing', 'Sonando'), ('in_progress', 'En curso'), ('completed', 'Completada'), ('no_answer', 'Sin respuesta'), ('busy', 'Ocupado'), ('rejected', 'Rechazada'), ('voicemail', 'Buzón de voz'), ('failed', 'Fallida'), ('canceled', 'Cancelada')], db_index=True, default='queued', max_length=16, verbose_name='estado')),
                ('dial_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='intentos de marcado')),
                ('failure_reason', models.TextField(blank=True, verbose_name='motivo del fallo')),
                ('queued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='en cola desde')),
                ('dialing_at', models.DateTimeField(blank=True, null=True, verbose_name='marcando desde')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='contestada')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='finalizada')),
                ('duration_seconds', models.PositiveIntegerField(blank=True, null=True, verbose_name='duración (s)')),
                ('hangup_requested_at', models.DateTimeField(blank=True, null=True, verbose_name='colgado solicitado')),
                ('idempotency_key', models.CharField(blank=True, max_length=128, null=True, verbose_name='clave de idempotencia')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='solicitada por')),
                ('telephony_config', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='calls', to='telephony.telephonyconfig', verbose_name='configuración de telefonía')),
                ('encuesta', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='calls.encuesta', verbose_name='encuesta')),
            ],
            options={
                'verbose_name': 'llamada',
                'verbose_name_plural': 'llamadas',
                'ordering': ['-queued_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='encuesta',
            constraint=models.CheckConstraint(condition=models.Q(('puntuacion_comercial__isnull', True), models.Q(('puntuacion_comercial__gte', 0), ('puntuacion_comercial__lte', 10)), _connector='OR'), name='encuesta_puntuacion_comercial_0_10'),
        ),
        migrations.AddConstraint(
            model_name='encuesta',
            constraint=models.CheckConstraint(condition=models.Q(('puntuacion_instalador__isnull', True), models.Q(('puntuacion_instalador__gte', 0), ('puntuacion_instalador__lte', 10)), _connector='OR'), name='encuesta_puntuacion_instalador_0_10'),
        ),
        migrations.AddConstraint(
            model_name='encuesta',
            constraint=models.CheckConstraint(condition=models.Q(('puntuacion_rapidez__isnull', True), models.Q(('puntuacion_rapidez__gte', 0), ('puntuacion_rapidez__lte', 10)), _connector='OR'), name='encuesta_puntuacion_rapidez_0_10'),
        ),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['telephony_config', 'status'], name='calls_call_telepho_a50903_idx'),
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.UniqueConstraint(fields=('requested_by', 'idempotency_key'), name='call_idempotency_key_per_user'),
        ),
        migrations.AddConstraint(
            model_name='call',
            constraint=models.UniqueConstraint(fields=('encuesta', 'attempt'), name='call_attempt_unique'),
        ),
    ]
